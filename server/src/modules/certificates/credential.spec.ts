import { certificateIdOf, credentialClaims, isCanonicalCompactJws } from './credential';

describe('credential', () => {
  const input = {
    certificateId: '0b6f3c1e-2a4d-4f7b-9c1d-3e5f7a9b1c2d',
    publicUrl: 'https://quorum.example.org',
    organization: { id: '11111111-2222-4333-8444-555555555555', name: 'مكتبة الإسكندرية' },
    event: { id: '66666666-7777-4888-9999-aaaaaaaaaaaa', title: '图书馆论坛' },
    holderName: '李明',
    issuedAt: new Date('2026-12-02T10:00:00.123Z'),
    totalMinutes: 90,
    threshold: { mode: 'minutes' as const, value: 60 },
    sessions: [{ title: 'Opening', startsAt: '2026-12-02T08:00:00.000Z', endsAt: '2026-12-02T09:30:00.000Z', attendedMinutes: 90 }],
  };

  it('is an Open Badges 3.0 credential whose JWT claims name the same issuer and id', () => {
    const c = credentialClaims(input) as { iss: string; jti: string; nbf: number; vc: Record<string, any> };
    expect(c.vc.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(c.vc['@context'][0]).toBe('https://www.w3.org/ns/credentials/v2');
    expect(c.iss).toBe(c.vc.issuer.id);
    expect(c.jti).toBe(c.vc.id);
    expect(certificateIdOf(c.jti)).toBe(input.certificateId);
    expect(c.nbf).toBe(Math.floor(input.issuedAt.getTime() / 1000));
    expect(c.vc.validFrom).toBe('2026-12-02T10:00:00Z');
    expect(c.vc.issuer.name).toBe('مكتبة الإسكندرية');
    expect(c.vc.credentialSubject.identifier[0].identityHash).toBe('李明');
    expect(c.vc.credentialStatus.id).toBe(`https://quorum.example.org/api/certificates/${input.certificateId}/status`);
  });

  it('reads no certificate id out of anything but a urn:uuid', () => {
    for (const bad of [undefined, 42, 'urn:uuid:', `urn:uuid:${input.certificateId}x`, `https://x/${input.certificateId}`]) expect(certificateIdOf(bad)).toBeNull();
  });

  it('refuses base64url parts that decode alike but are not written canonically', () => {
    // 64 bytes of signature: 86 characters, the last one carrying 4 spare bits.
    const sig = Buffer.alloc(64, 7).toString('base64url');
    const ok = `eyJhbGciOiJFZERTQSJ9.eyJhIjoxfQ.${sig}`;
    expect(isCanonicalCompactJws(ok)).toBe(true);
    const last = sig.at(-1)!;
    const alike = String.fromCharCode(last.charCodeAt(0) + 1);
    expect(Buffer.from(sig.slice(0, -1) + alike, 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true);
    expect(isCanonicalCompactJws(`eyJhbGciOiJFZERTQSJ9.eyJhIjoxfQ.${sig.slice(0, -1)}${alike}`)).toBe(false);
    for (const bad of ['', 'a.b', 'a.b.c.d', 'a..c', `${ok}=`, `${ok} `, 'eyJ+.eyJ.abc']) expect(isCanonicalCompactJws(bad)).toBe(false);
  });
});
