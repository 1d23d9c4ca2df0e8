"""Interoperability: the registry-to-registry protocol, the hub, outbox and inbox,
transfers between registries, reconciliation and the Article 6.4 mechanism registry role."""
