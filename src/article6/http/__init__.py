"""What the doors share: who is asking (security), how a refusal is answered (problem
details), the request guard, the browser headers, and the request parameters both the API and
the web pages read."""
