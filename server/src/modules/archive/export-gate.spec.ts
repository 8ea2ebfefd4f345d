import { ExportGate } from './export-gate';

describe('ExportGate', () => {
  it('lets each requester build one package at a time', () => {
    const gate = new ExportGate({ total: 3, perRequester: 1 });
    const release = gate.enter('ada');
    expect(release).not.toBeNull();
    expect(gate.enter('ada')).toBeNull();
    expect(gate.enter('lin')).not.toBeNull();
    release!();
    expect(gate.enter('ada')).not.toBeNull();
  });

  it('caps the packages built at once on the node, whoever asks', () => {
    const gate = new ExportGate({ total: 2, perRequester: 1 });
    const a = gate.enter('a');
    gate.enter('b');
    expect(gate.enter('c')).toBeNull();
    expect(gate.size).toBe(2);
    a!();
    expect(gate.size).toBe(1);
    expect(gate.enter('c')).not.toBeNull();
  });

  it('counts a release once, however often it is called', () => {
    const gate = new ExportGate({ total: 2, perRequester: 2 });
    const a = gate.enter('a')!;
    const b = gate.enter('a')!;
    a();
    a();
    expect(gate.size).toBe(1);
    expect(gate.enter('a')).not.toBeNull();
    expect(gate.enter('a')).toBeNull();
    b();
    expect(gate.size).toBe(1);
  });
});
