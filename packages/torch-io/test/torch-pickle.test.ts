/** The safe unpickler: CPython-made pickles decode; hostile, unknown and truncated input is refused clearly. */
import { describe, expect, it } from 'vitest';
import { PickleRecord, unpickle } from '../src/torch-pickle.js';
import { TorchTensorRef } from '../src/torch-storage.js';
import { PickleWriter, pickle, RawOps, tensor, type PickleInput } from './builders.js';

const hex = (s: string): Uint8Array => new Uint8Array(s.match(/../g)!.map((b) => parseInt(b, 16)));

/**
 * pickle.dumps(OrderedDict(a=1, b=[1.5, None, True, False], c=(b'xy', 2**70, -5, -2**40, 65535, 70000),
 * d={'k': 'vé☃'}), protocol=p) from CPython 3.11.
 */
const CPYTHON = {
  2: '800263636f6c6c656374696f6e730a4f726465726564446963740a7100295271012858010000006171024b0158010000006271035d710428473ff80000000000004e888965580100000063710528635f636f646563730a656e636f64650a710658020000007879710758060000006c6174696e31710886710952710a8a090000000000000000404afbffffff8a060000000000ff4dffff4a7011010074710b580100000064710c7d710d58010000006b710e580600000076c3a9e29883710f73752e',
  4: '8004957e000000000000008c0b636f6c6c656374696f6e73948c0b4f72646572656444696374949394295294288c0161944b018c0162945d9428473ff80000000000004e8889658c0163942843027879948a090000000000000000404afbffffff8a060000000000ff4dffff4a7011010074948c0164947d948c016b948c0676c3a9e298839473752e',
  5: '8005957e000000000000008c0b636f6c6c656374696f6e73948c0b4f72646572656444696374949394295294288c0161944b018c0162945d9428473ff80000000000004e8889658c0163942843027879948a090000000000000000404afbffffff8a060000000000ff4dffff4a7011010074948c0164947d948c016b948c0676c3a9e298839473752e',
};

/** pickle.dumps(argparse.Namespace(lr=0.5), protocol=2). */
const NAMESPACE = '80026361726770617273650a4e616d6573706163650a7100298171017d710258020000006c727103473fe000000000000073622e';

const load = (bytes: Uint8Array) => unpickle(bytes, { source: 'test.pkl' }).value;

describe('unpickle: values CPython writes', () => {
  for (const protocol of [2, 4, 5] as const) {
    it(`decodes a protocol ${protocol} pickle`, () => {
      const value = load(hex(CPYTHON[protocol])) as Map<string, unknown>;
      expect([...value.keys()]).toEqual(['a', 'b', 'c', 'd']);
      expect(value.get('a')).toBe(1);
      expect(value.get('b')).toEqual([1.5, null, true, false]);
      expect(value.get('c')).toEqual([new Uint8Array([0x78, 0x79]), 2n ** 70n, -5, -(2 ** 40), 65535, 70000]);
      expect(value.get('d')).toEqual(new Map([['k', 'vé☃']]));
    });
  }

  it('turns argparse.Namespace into an inert record with its attributes', () => {
    const record = load(hex(NAMESPACE));
    expect(record).toBeInstanceOf(PickleRecord);
    expect((record as PickleRecord).className).toBe('argparse.Namespace');
    expect((record as PickleRecord).state).toEqual(new Map([['lr', 0.5]]));
  });

  it('rebuilds tensors as references to their storage, reporting each storage once', () => {
    const storage = { type: 'HalfStorage', key: '7', numel: 12 };
    const result = unpickle(pickle(new Map([['w', tensor(storage, [3, 2], { offset: 4, stride: [1, 3] })], ['v', tensor(storage, [12])]])), {
      source: 'x',
    });
    const w = (result.value as Map<string, unknown>).get('w') as TorchTensorRef;
    expect(w).toBeInstanceOf(TorchTensorRef);
    expect(w).toMatchObject({ storageOffset: 4, shape: [3, 2], stride: [1, 3] });
    expect(w.storage).toMatchObject({ key: '7', numel: 12, className: 'HalfStorage' });
    expect([...result.storages.keys()]).toEqual(['7']);
  });

  it('refuses one storage key named with two dtypes', () => {
    const a = tensor({ type: 'HalfStorage', key: '0', numel: 4 }, [4]);
    const b = tensor({ type: 'FloatStorage', key: '0', numel: 4 }, [4]);
    expect(() => load(pickle(new Map([['a', a], ['b', b]])))).toThrow(/storage "0" is referenced as HalfStorage .* and as FloatStorage/);
  });
});

describe('unpickle: refuses what a state_dict never needs', () => {
  const reduceGlobal = (module: string, name: string) =>
    new PickleWriter().op(0x80, 0x02).global(module, name).text('echo pwned').op(0x85, 0x52, 0x2e).bytes();

  it.each([
    ['os', 'system'],
    ['posix', 'system'],
    ['builtins', 'eval'],
    ['subprocess', 'Popen'],
    ['torch.storage', '_load_from_bytes'],
    ['numpy.core.multiarray', 'scalar'],
  ])('refuses the global %s.%s, naming it and the file', (module, name) => {
    expect(() => load(reduceGlobal(module, name))).toThrow(
      new RegExp(`^test\\.pkl: refusing to unpickle global "${module}\\.${name}": only state_dict globals are allowed`),
    );
  });

  it('refuses a global reached through STACK_GLOBAL', () => {
    const bytes = new PickleWriter().op(0x80, 0x04, 0x8c, 2, ...new TextEncoder().encode('os'), 0x8c, 6)
      .op(...new TextEncoder().encode('system'), 0x93, 0x2e)
      .bytes();
    expect(() => load(bytes)).toThrow(/refusing to unpickle global "os\.system"/);
  });

  it('refuses calling an allowed non-callable, and objects of non-record classes', () => {
    const call = new PickleWriter().op(0x80, 0x02).global('torch', 'FloatStorage').op(0x29, 0x52, 0x2e).bytes();
    expect(() => load(call)).toThrow(/torch\.FloatStorage cannot be called/);
    const newobj = new PickleWriter().op(0x80, 0x02).global('collections', 'OrderedDict').op(0x29, 0x81, 0x2e).bytes();
    expect(() => load(newobj)).toThrow(/cannot create an object of global collections\.OrderedDict/);
  });

  it('refuses persistent ids other than storages', () => {
    const bytes = new PickleWriter().op(0x80, 0x02).value(['module', 'x']).op(0x51, 0x2e).bytes();
    expect(() => load(bytes)).toThrow(/refusing persistent id/);
  });

  it('names an unknown or unsupported opcode and its byte offset', () => {
    expect(() => load(new Uint8Array([0x80, 0x02, 0xff]))).toThrow(/unsupported pickle opcode \(pickle opcode 0xff at byte 2\)/);
    expect(() => load(new Uint8Array([0x80, 0x02, 0x82, 0x01, 0x2e]))).toThrow(/pickle opcode EXT1 at byte 2/);
    expect(() => load(new Uint8Array([0x80, 0x02, 0x49, 0x31, 0x0a, 0x2e]))).toThrow(/pickle opcode INT at byte 2/);
  });

  it('refuses a protocol above 5 and oversized integers', () => {
    expect(() => load(new Uint8Array([0x80, 0x06, 0x4e, 0x2e]))).toThrow(/unsupported pickle protocol 6/);
    expect(() => load(new Uint8Array([0x80, 0x02, 0x8b, 0xff, 0xff, 0xff, 0x7f]))).toThrow(/integer of \d+ bytes is too large/);
  });

  it('fails clearly on every truncation of a valid pickle', () => {
    const bytes = hex(CPYTHON[4]);
    for (let n = 0; n < bytes.length; n++) {
      expect(() => unpickle(bytes.subarray(0, n), { source: 'cut.pkl' }), `cut at ${n}`).toThrow(/^cut\.pkl: /);
    }
  });

  it('never hangs or escapes with a non-Error on corrupted bytes', () => {
    const base = pickle(new Map<string, PickleInput>([['w', tensor({ type: 'FloatStorage', key: '0', numel: 6 }, [2, 3])], ['n', [1, 2.5, 'x']]]));
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let trial = 0; trial < 3000; trial++) {
      const bytes = base.slice();
      for (let k = 0; k < 1 + Math.floor(random() * 3); k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      try {
        unpickle(bytes, { source: 'fuzz.pkl' });
      } catch (error) {
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message, `trial ${trial}`).toMatch(/^fuzz\.pkl: /);
      }
    }
  });

  it('reports stack underflow and missing memo entries', () => {
    expect(() => load(new Uint8Array([0x80, 0x02, 0x2e]))).toThrow(/stack underflow/);
    expect(() => load(new Uint8Array([0x80, 0x02, 0x68, 0x05, 0x2e]))).toThrow(/memo entry 5 was never stored/);
    expect(() => load(new Uint8Array([0x80, 0x02, 0x28, 0x73, 0x2e]))).toThrow(/stack underflow/);
  });

  it('accepts raw opcodes spliced into an otherwise valid pickle (builder sanity)', () => {
    expect(load(pickle([new RawOps([0x4b, 0x07]), 'x']))).toEqual([7, 'x']);
  });
});
