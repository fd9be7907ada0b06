// replaced by the crypto module's sources
