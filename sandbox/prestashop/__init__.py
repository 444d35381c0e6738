"""PrestaShop 8.1.2 webservice emulator."""
