"""The presets that ship with GAN Studio (TOML files; lessons in lessons/). Installed as the
package studio.presets, found with importlib.resources (studio.config.paths)."""
