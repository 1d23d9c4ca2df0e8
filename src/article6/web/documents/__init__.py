"""The documents a user prints or keeps: account statements (HTML and CSV), certificates of
use and cancellation, and a Party's public report, rendered from what the services return.
The API serves them and `article6 report` writes them."""
