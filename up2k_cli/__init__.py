"""up2k: the registry for the PKK UP2K family income programme in Kecamatan Cilandak."""

__version__ = "0.1.0"
