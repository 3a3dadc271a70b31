-- Issue 20 (post-quantum cross-checks): a checkpoint may carry a second signature, by the audit key's
-- ML-DSA-65 companion (FIPS 204), over the same bytes as the ECDSA one. NULL on checkpoints signed
-- before it existed; those verify by ECDSA alone (docs/keys.md, "Audit checkpoints").
ALTER TABLE audit_checkpoints ADD COLUMN ml_dsa_65_signature BYTEA;
