"""The composition root: the `tlc` command, and `tlc dev`, which runs the API and the worker together.

The only package that imports both the service (service/) and its workflows (workflows/)."""
