"""article6: the Article 6.2 International Registry and Additional Registry Services."""

__version__ = "0.1.0"
