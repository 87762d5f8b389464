"""Networks: toy (shift generator, logistic D, MLPs), dcgan, cyclegan, and build (G and D for a config)."""
