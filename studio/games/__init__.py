"""The games: base (the Variant and its registry), losses, and one module per game with its own
Params. Importing the package registers every game and its parameters."""
from . import conditional, cyclegan, gan, saddle, wgan  # noqa: F401  (registration)
from .base import REGISTRY, Variant, game_class  # noqa: F401
