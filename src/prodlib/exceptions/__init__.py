"""The exception queue (issue 10, items 1, 6 and 7): every quarantined row and every reconciliation
finding is an exception a person works, with a lifecycle whose every change is sealed in the ledger.

- :mod:`~prodlib.exceptions.lifecycle`: states, actions and the table of legal transitions; kinds and
  roles as data (``data/exceptions.yaml``).
- :mod:`prodlib.ledger.exceptions`: storage (append-only exceptions and events, sealed), current state,
  and ``release`` for the overrides.
- :mod:`~prodlib.exceptions.findings`: reconciliation findings into the queue, idempotently (fingerprints).
- :mod:`~prodlib.exceptions.correct`: a correction re-enters the pipeline's own stages.
- :mod:`~prodlib.exceptions.conservation`: rows read = posted + waiting + written off + released, over
  the whole history.

Nothing is imported here (the ledger imports the lifecycle while it loads).
"""
