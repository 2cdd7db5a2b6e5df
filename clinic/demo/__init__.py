"""The demo clinic, above every app: ``loader`` fills a new database for `make run`, and
``scale`` grows it to clinic-chain size (``seed_demo --patients N``). Only the
``seed_demo`` command imports them."""
