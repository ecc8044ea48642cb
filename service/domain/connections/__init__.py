"""Named SQL connections per tenant, registered by an admin; their URLs never leave the server."""
