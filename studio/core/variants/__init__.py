"""GAN variants, one small class each, found by name in REGISTRY."""
from .base import REGISTRY, Variant, register  # noqa: F401
from . import gan, saddle, wgan  # noqa: F401  (registration)
from . import conditional, cyclegan  # noqa: F401  (image variants)


def variant_class(name: str) -> type[Variant]:
    from ...config import ConfigError
    if name not in REGISTRY:
        raise ConfigError(f"variant.name: unknown variant {name!r}; expected one of {', '.join(sorted(REGISTRY))}")
    return REGISTRY[name]
