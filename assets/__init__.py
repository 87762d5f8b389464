"""The icon and desktop entry that ship with GAN Studio. Installed as the package studio.assets;
screenshots/ holds the README's pictures and does not ship."""
