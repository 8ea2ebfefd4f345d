import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Institutional sign-in: an organisation's identity provider (one per organisation; OpenID Connect
 * today, SAML later: `protocol` says which), the accounts linked to a provider's subjects, and the
 * sign-ins under way (single-use, short-lived, bound to the browser that started them).
 */
export class InstitutionalSignIn1796195077503 implements MigrationInterface {
  name = 'InstitutionalSignIn1796195077503';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

      CREATE TABLE identity_providers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        slug text NOT NULL,
        protocol text NOT NULL DEFAULT 'oidc' CHECK (protocol IN ('oidc')),
        issuer text NOT NULL,
        client_id text NOT NULL,
        client_secret_sealed text NOT NULL,
        scopes text NOT NULL,
        email_claim text NOT NULL DEFAULT 'email',
        join_as_member boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_identity_providers_org UNIQUE (organization_id),
        CONSTRAINT uq_identity_providers_slug UNIQUE (slug)
      );

      CREATE TABLE user_identities (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        provider_id uuid REFERENCES identity_providers(id) ON DELETE SET NULL,
        issuer text NOT NULL,
        subject text NOT NULL,
        linked_by text NOT NULL CHECK (linked_by IN ('new-account', 'verified-email')),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_sign_in_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_user_identities_subject UNIQUE (issuer, subject)
      );
      CREATE INDEX ix_user_identities_user ON user_identities(user_id);

      CREATE TABLE institutional_sign_ins (
        state_hash text PRIMARY KEY,
        provider_id uuid NOT NULL REFERENCES identity_providers(id) ON DELETE CASCADE,
        browser_hash text NOT NULL,
        nonce text NOT NULL,
        code_verifier text NOT NULL,
        return_to text NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ix_institutional_sign_ins_expiry ON institutional_sign_ins(expires_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE institutional_sign_ins;
      DROP TABLE user_identities;
      DROP TABLE identity_providers;
      ALTER TABLE users DROP COLUMN email_verified_at;
    `);
  }
}
