"""Ways into mlchat besides the browser and the HTTP API."""
