"""The panels of the main window: forms, lists, plots, the game area and the latent explorer."""
