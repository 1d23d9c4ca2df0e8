"""Reports generated from the ledger: the Agreed Electronic Format (AEF), account statements,
use and cancellation certificates, and the public report of a Party."""
