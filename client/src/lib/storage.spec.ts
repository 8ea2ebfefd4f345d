import { afterEach, describe, expect, it } from '@jest/globals';
import { forget, keep, keepJson, readKept, readKeptJson } from './storage';

class MemoryStorage {
  readonly items = new Map<string, string>();
  constructor(private readonly quota = Infinity) {}
  getItem(k: string) {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    if (v.length > this.quota) throw new DOMException('quota exceeded', 'QuotaExceededError');
    this.items.set(k, v);
  }
  removeItem(k: string) {
    this.items.delete(k);
  }
}

function install(value: () => unknown) {
  Object.defineProperty(globalThis, 'localStorage', { configurable: true, get: value });
}

afterEach(() => {
  delete (globalThis as { localStorage?: unknown }).localStorage;
});

describe('storage', () => {
  it('keeps, reads and forgets text and JSON', () => {
    const s = new MemoryStorage();
    install(() => s);
    expect(readKept('a')).toBeNull();
    expect(readKeptJson('a')).toBeUndefined();
    expect(keep('a', 'x')).toBe(true);
    expect(readKept('a')).toBe('x');
    expect(keepJson('b', { on: true, n: [1, 2] })).toBe(true);
    expect(readKeptJson('b')).toEqual({ on: true, n: [1, 2] });
    forget('a');
    expect(readKept('a')).toBeNull();
  });

  it('reads a damaged JSON entry as nothing kept', () => {
    const s = new MemoryStorage();
    install(() => s);
    s.setItem('b', '{"on":');
    expect(readKeptJson('b')).toBeUndefined();
    expect(readKept('b')).toBe('{"on":');
  });

  it('says so when a full quota refuses a value, and keeps what was there', () => {
    const s = new MemoryStorage(5);
    install(() => s);
    expect(keep('a', 'short')).toBe(true);
    expect(keep('a', 'far too long')).toBe(false);
    expect(readKept('a')).toBe('short');
  });

  it('never throws when blocked site data makes even touching storage throw', () => {
    install(() => {
      throw new DOMException('access denied', 'SecurityError');
    });
    expect(readKept('a')).toBeNull();
    expect(readKeptJson('a')).toBeUndefined();
    expect(keep('a', 'x')).toBe(false);
    expect(keepJson('a', 1)).toBe(false);
    expect(() => forget('a')).not.toThrow();
  });

  it('treats a browser without storage as one that refuses it', () => {
    install(() => undefined);
    expect(readKept('a')).toBeNull();
    expect(keep('a', 'x')).toBe(false);
  });
});
