import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A person an institution has named to speak and vote for it. */
@Entity({ name: 'institution_delegates' })
export class Delegate {
  @PrimaryColumn({ name: 'institution_id', type: 'uuid' })
  institutionId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
