import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A join link; only its hash is stored. A member link may let in several people; a delegate's link, or
 * one made out to a named person (invitee_email: only that account may accept it), lets in one.
 */
@Entity({ name: 'invitations' })
export class Invitation {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  @Column({ type: 'text' })
  role!: 'admin' | 'member';

  @Column({ name: 'institution_id', type: 'uuid', nullable: true })
  institutionId!: string | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'max_uses', type: 'integer', nullable: true })
  maxUses!: number | null;

  @Column({ name: 'accepted_count', type: 'integer', default: 0 })
  acceptedCount!: number;

  @Column({ name: 'invitee_email', type: 'text', nullable: true })
  inviteeEmail!: string | null;

  @Column({ name: 'invitee_name', type: 'text', nullable: true })
  inviteeName!: string | null;

  @Column({ name: 'last_used_by', type: 'uuid', nullable: true })
  lastUsedBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
