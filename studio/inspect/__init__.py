"""What the views draw, as numpy: probes (decision plots, densities, the saddle's field), grids
(sample grids of image games) and latent (the latent explorer's frozen generator)."""
