"""Local development environment: a throw-away Kubernetes control plane on loopback.

Used by the pytest fixtures and by the ``dev`` command; it imports nothing else from
the product, so it can start a cluster before any of the operator is configured.
"""
