"""Ways into mlchat beside the browser and the HTTP API (the Slack app)."""
