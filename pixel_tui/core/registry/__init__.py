"""The dataset registry: a byte-faithful document model, storage backends, validation, the resolver."""
