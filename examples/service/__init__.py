"""An example host: a desk behind a small aiohttp JSON service (see docs/host.md)."""
