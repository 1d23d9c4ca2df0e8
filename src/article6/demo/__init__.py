"""The demonstration, kept apart from the registry: the seed's world and its scenarios
(`world`), the demo users (`users`), the network of the hub and registries in one process with
its seeds and the test transport (`network`), and `make network`, the same as separate servers
(`demonstration`). Only the command line and the tests import it."""
