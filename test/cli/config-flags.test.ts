/**
 * The flag table (src/pipeline/flags.ts) and the one config builder: for every command, the same
 * run given as flags and as a config file resolves to the same config; a flag sets exactly its
 * key; --set is applied once, after the flags; help shows each default once, from the table.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigProbed, configProbe, offeredPaths } from '../../src/cli/options.ts';
import { buildProgram } from '../../src/cli/program.ts';
import { START_CONFIG } from '../../src/cli/commands/start.ts';
import { mergePartials, resolveConfig, type Config, type PartialConfig } from '../../src/pipeline/config.ts';
import { FLAGS, MODEL } from '../../src/pipeline/flags.ts';
import { sflVersion } from '../../src/util/version.ts';
import { ROOT, runCli } from './run-cli.ts';
import { SPECTRUM_PRESETS } from '../../src/audio/presets.ts';

const dir = mkdtempSync(join(tmpdir(), 'sfl-flags-'));

/** The config a command line resolves to, without running the command. */
async function configOf(args: string[]): Promise<Config> {
  let got: Config | undefined;
  configProbe.onConfig = (c) => {
    got = c;
  };
  try {
    await (await buildProgram()).exitOverride().parseAsync(['node', 'sfl', ...args]);
  } catch (e) {
    if (!(e instanceof ConfigProbed)) throw e;
  } finally {
    configProbe.onConfig = undefined;
  }
  if (!got) throw new Error(`sfl ${args.join(' ')} built no config`);
  return got;
}

afterEach(() => {
  configProbe.onConfig = undefined;
});

let files = 0;
function configFile(partial: PartialConfig): string {
  const path = join(dir, `config-${++files}.json`);
  writeFileSync(path, JSON.stringify(partial));
  return path;
}

/**
 * For every flag of the table: what a user types, and the config keys it means, written out by
 * hand (not derived from the table, so a wrong mapping in the table fails here). The values are
 * not the defaults, so a flag that did nothing would be seen. {model} flags are given for sda.
 */
const SAMPLES: Record<string, { argv: string[]; means: PartialConfig }> = {
  'data.mnistDir': { argv: ['--mnist', '/data/mnist'], means: { data: { source: 'mnist', mnistDir: '/data/mnist' } } },
  'data.audioDir': { argv: ['--audio', '/data/sounds'], means: { data: { source: 'audio', audioDir: '/data/sounds' } } },
  'data.labels': { argv: ['--labels', 'pattern:take-{label}-{index}'], means: { data: { labels: 'pattern', pattern: 'take-{label}-{index}' } } },
  'data.digits': { argv: ['--digits', '1-3,7'], means: { data: { digits: [1, 2, 3, 7] } } },
  'data.count': { argv: ['--count', '123'], means: { data: { count: 123 } } },
  'windows.frames': { argv: ['--frames', '3'], means: { windows: { frames: 3 } } },
  'windows.count': { argv: ['--windows', '777'], means: { windows: { count: 777 } } },
  'windows.sampling': { argv: ['--sampling', 'duration'], means: { windows: { sampling: 'duration' } } },
  'spectrum.transform': { argv: ['--transform', 'mfcc'], means: { spectrum: { transform: 'mfcc' } } },
  'spectrum.frameSize': { argv: ['--frame', '64ms'], means: { spectrum: { frameSize: '64ms' } } },
  'spectrum.hop': { argv: ['--hop', '64'], means: { spectrum: { hop: 64 } } },
  'spectrum.window': { argv: ['--window', 'hamming'], means: { spectrum: { window: 'hamming' } } },
  'spectrum.bands': { argv: ['--bands', '30'], means: { spectrum: { bands: 30 } } },
  'spectrum.fMin': { argv: ['--fmin', '50'], means: { spectrum: { fMin: 50 } } },
  'spectrum.fMax': { argv: ['--fmax', '4000'], means: { spectrum: { fMax: 4000 } } },
  'spectrum.coefficients': { argv: ['--coefficients', '12'], means: { spectrum: { coefficients: 12 } } },
  'spectrum.power': { argv: ['--magnitude'], means: { spectrum: { power: false } } },
  'spectrum.log': { argv: ['--no-log'], means: { spectrum: { log: false } } },
  'spectrum.meanNormalise': { argv: ['--mean-normalise'], means: { spectrum: { meanNormalise: true } } },
  'spectrum.trimDb': { argv: ['--trim-db', '30'], means: { spectrum: { trimDb: 30 } } },
  'spectrum.sampleRate': { argv: ['--sample-rate', '8000'], means: { spectrum: { sampleRate: 8000 } } },
  'spectrum.center': { argv: ['--center'], means: { spectrum: { center: true } } },
  'spectrum.padMode': { argv: ['--pad-mode', 'reflect'], means: { spectrum: { padMode: 'reflect' } } },
  'spectrum.melScale': { argv: ['--mel-scale', 'slaney'], means: { spectrum: { melScale: 'slaney' } } },
  'spectrum.melNorm': { argv: ['--mel-norm', 'slaney'], means: { spectrum: { melNorm: 'slaney' } } },
  'spectrum.logScale': { argv: ['--log-scale', 'db'], means: { spectrum: { logScale: 'db' } } },
  'spectrum.topDb': { argv: ['--top-db', '60'], means: { spectrum: { topDb: 60 } } },
  'spectrum.preset': {
    argv: ['--preset', 'librosa'],
    means: { spectrum: { preset: 'librosa', sampleRate: 22050, frameSize: 2048, hop: 512, bands: 128, center: true, melScale: 'slaney', melNorm: 'slaney', logScale: 'db', topDb: 80 } },
  },
  normalise: { argv: ['--normalise', 'example-mean'], means: { normalise: 'example-mean' } },
  'whitening.kind': { argv: ['--whitening', 'pca'], means: { whitening: { kind: 'pca' } } },
  'whitening.epsilon': { argv: ['--epsilon', '0.01'], means: { whitening: { epsilon: 0.01 } } },
  'whitening.retainVariance': { argv: ['--retain', '0.9'], means: { whitening: { retainVariance: 0.9 } } },
  'sae.hidden': { argv: ['--hidden', '20'], means: { sae: { hidden: 20 } } },
  'sae.weightDecay': { argv: ['--weight-decay', '1e-4'], means: { sae: { weightDecay: 1e-4 } } },
  'sae.beta': { argv: ['--beta', '2'], means: { sae: { beta: 2 } } },
  'sae.rho': { argv: ['--rho', '0.05'], means: { sae: { rho: 0.05 } } },
  'sae.decoder': { argv: ['--decoder', 'linear'], means: { sae: { decoder: 'linear' } } },
  'sae.maxIter': { argv: ['--iterations', '7'], means: { sae: { maxIter: 7 } } },
  'softmax.weightDecay': { argv: ['--softmax-weight-decay', '0.01'], means: { softmax: { weightDecay: 0.01 } } },
  'softmax.maxIter': { argv: ['--softmax-iterations', '9'], means: { softmax: { maxIter: 9 } } },
  'softmax.chooseWeightDecay': { argv: ['--choose-weight-decay', '1e-5,1e-3'], means: { softmax: { chooseWeightDecay: [1e-5, 1e-3] } } },
  'stacked.layers': { argv: ['--layers', '30,20'], means: { stacked: { layers: [30, 20] } } },
  'stacked.fineTuneMaxIter': { argv: ['--fine-tune-iterations', '0'], means: { stacked: { fineTune: false } } },
  'split.kind': { argv: ['--split', 'speakers'], means: { split: { kind: 'speakers' } } },
  'split.testSpeakers': { argv: ['--test-speakers', 'george,lucas'], means: { split: { kind: 'speakers', testSpeakers: ['george', 'lucas'] } } },
  'pooling.method': { argv: ['--pool', 'max'], means: { pooling: { method: 'max' } } },
  'pooling.segments': { argv: ['--segments', '2'], means: { pooling: { segments: 2 } } },
  'softmax.baseline': { argv: ['--no-baseline'], means: { softmax: { baseline: false } } },
  'softmax.standardise': { argv: ['--standardise-per-speaker'], means: { softmax: { standardise: 'speaker' } } },
  'selfTaught.unlabeledDigits': { argv: ['--unlabeled', '6-9'], means: { selfTaught: { unlabeledDigits: [6, 7, 8, 9] } } },
  'selfTaught.labeledDigits': { argv: ['--labeled', '0-3'], means: { selfTaught: { labeledDigits: [0, 1, 2, 3] } } },
  'selfTaught.trainFraction': { argv: ['--train-fraction', '0.6'], means: { selfTaught: { trainFraction: 0.6 } } },
  'selfTaught.encoder': { argv: ['--encoder', '/runs/x/model'], means: { selfTaught: { encoder: '/runs/x/model' } } },
  'conv.patchSize': { argv: ['--patch', '6'], means: { conv: { patchSize: 6 } } },
  'conv.bandPatch': { argv: ['--band-patch', '12'], means: { conv: { bandPatch: 12 } } },
  'conv.poolSize': { argv: ['--pool-size', '5'], means: { conv: { poolSize: 5 } } },
  'conv.poolStride': { argv: ['--pool-stride', '3'], means: { conv: { poolStride: 3 } } },
  'convAe.filters': { argv: ['--filters', '8,16'], means: { convAe: { filters: [8, 16] } } },
  'convAe.kernel': { argv: ['--kernel', '3x4'], means: { convAe: { kernel: [3, 4] } } },
  'convAe.pool': { argv: ['--pool-size', '3'], means: { convAe: { pool: [3, 3] } } },
  'convAe.frames': { argv: ['--input-frames', '40'], means: { convAe: { frames: 40 } } },
  'convAe.pretrainEpochs': { argv: ['--pretrain-epochs', '2'], means: { convAe: { pretrainEpochs: 2 } } },
  'convAe.fineTuneEpochs': { argv: ['--fine-tune-epochs', '3'], means: { convAe: { fineTuneEpochs: 3 } } },
  'convAe.batchSize': { argv: ['--batch-size', '16'], means: { convAe: { batchSize: 16 } } },
  'convAe.learningRate': { argv: ['--learning-rate', '0.002'], means: { convAe: { learningRate: 0.002 } } },
  'convAe.corruption': { argv: ['--corruption', '0.1'], means: { convAe: { corruption: 0.1 } } },
  'convAe.shift': { argv: ['--shift', '4'], means: { convAe: { shift: 4 } } },
  'convAe.weightDecay': { argv: ['--weight-decay', '0.001'], means: { convAe: { weightDecay: 0.001 } } },
  'convAe.tied': { argv: ['--no-tied'], means: { convAe: { tied: false } } },
  [`baselines.${MODEL}.epochs`]: { argv: ['--epochs', '5'], means: { baselines: { sda: { epochs: 5 } } } },
  [`baselines.${MODEL}.pretrainEpochs`]: { argv: ['--pretrain-epochs', '2'], means: { baselines: { sda: { pretrainEpochs: 2 } } } },
  [`baselines.${MODEL}.batchSize`]: { argv: ['--batch-size', '10'], means: { baselines: { sda: { batchSize: 10 } } } },
  [`baselines.${MODEL}.learningRate`]: { argv: ['--learning-rate', '0.05'], means: { baselines: { sda: { learningRate: 0.05 } } } },
  [`baselines.${MODEL}.patience`]: { argv: ['--patience', '100'], means: { baselines: { sda: { patience: 100 } } } },
  'baselines.trainCount': { argv: ['--train-count', '800'], means: { baselines: { trainCount: 800 } } },
  'baselines.validCount': { argv: ['--valid-count', '200'], means: { baselines: { validCount: 200 } } },
  'baselines.testCount': { argv: ['--test-count', '300'], means: { baselines: { testCount: 300 } } },
  'run.seed': { argv: ['--seed', '5'], means: { run: { seed: 5 } } },
  'run.name': { argv: ['--name', 'same-run'], means: { run: { name: 'same-run' } } },
  'run.outputs': { argv: ['--outputs', '/tmp/sfl-runs'], means: { run: { outputs: '/tmp/sfl-runs' } } },
  'run.overwrite': { argv: ['--overwrite'], means: { run: { overwrite: true } } },
};

/** Each command that builds a config: what it fixes itself, its arguments, the file under its flags. */
const COMMANDS: { name: string; args?: string[]; fixes: PartialConfig; file?: string; without?: string[] }[] = [
  { name: 'train-sae', fixes: { experiment: 'sae' } },
  { name: 'train-softmax', fixes: { experiment: 'softmax' } },
  { name: 'self-taught', fixes: { experiment: 'self-taught' }, without: ['data.digits'] },
  { name: 'stacked', fixes: { experiment: 'stacked' }, without: ['sae.hidden'] },
  { name: 'conv', fixes: { experiment: 'conv' } },
  { name: 'conv-ae', fixes: { experiment: 'conv-ae' } },
  { name: 'mnist', args: ['sda'], fixes: { experiment: 'mnist-sda', data: { source: 'mnist' } } },
  { name: 'features', args: ['some.wav', '--out', 'x.npy'], fixes: {} },
  { name: 'start', fixes: {}, file: START_CONFIG },
  { name: 'run', args: ['RUN_FILE'], fixes: {} },
];

describe('the flag table', () => {
  it('every flag a command offers for a config key has a sample here, and no command has one flag twice', async () => {
    for (const cmd of (await buildProgram()).commands) {
      const longs = cmd.options.map((o) => o.long);
      expect(new Set(longs).size, cmd.name()).toBe(longs.length);
    }
    expect(Object.keys(FLAGS).filter((p) => !SAMPLES[p])).toEqual([]);
  });

  for (const c of COMMANDS) {
    it(`sfl ${c.name}: the same run as flags and as a config file resolves to the same config`, async () => {
      const program = await buildProgram();
      const cmd = program.commands.find((x) => x.name() === c.name)!;
      let paths = offeredPaths(cmd).filter((p) => !(c.without ?? []).includes(p));
      // --mnist and --audio contradict each other: an audio run, and (below) an MNIST one.
      let variants = paths.includes('data.mnistDir') && paths.includes('data.audioDir')
        ? [paths.filter((p) => p !== 'data.mnistDir'), paths.filter((p) => p !== 'data.audioDir')]
        : [paths];
      // --preset sets several spectrum keys, so it contradicts the flags of those keys: a run with
      // those flags, and one with the preset instead of them.
      if (paths.includes('spectrum.preset')) {
        const presetKeys = Object.keys(SPECTRUM_PRESETS.librosa).map((k) => `spectrum.${k}`);
        variants = variants.flatMap((v) => [v.filter((p) => p !== 'spectrum.preset'), v.filter((p) => !presetKeys.includes(p))]);
      }
      for (paths of variants) {
        const argv = paths.flatMap((p) => SAMPLES[p].argv);
        const means = paths.reduce<PartialConfig>((acc, p) => mergePartials(acc, SAMPLES[p].means), {});
        const file = configFile(mergePartials(mergePartials(c.file ? JSON.parse(readFileSync(c.file, 'utf8')) : {}, c.fixes), means));
        const args = (c.args ?? []).map((a) => (a === 'RUN_FILE' ? configFile(c.file ? JSON.parse(readFileSync(c.file, 'utf8')) : {}) : a));
        const fromFlags = await configOf([c.name, ...args, ...argv]);
        const fromFile = await configOf(['run', file]);
        // An unnamed run of `sfl run` is named after its file, of a command after the command; these runs are named (--name).
        expect({ ...fromFlags, run: { ...fromFlags.run, namePrefix: null } }, `sfl ${c.name} ${argv.join(' ')}`).toEqual({ ...fromFile, run: { ...fromFile.run, namePrefix: null } });
        // And each flag set the keys written beside it above (checked apart from the table).
        for (const p of paths) expect(fromFlags, SAMPLES[p].argv.join(' ')).toMatchObject(SAMPLES[p].means);
      }
    });
  }
});

describe('labels and splits for your own folders', () => {
  it('--split kfold:K sets the kind and K; --labels pattern:<p> the scheme and the pattern; bad values are one sentence', async () => {
    expect((await configOf(['train-softmax', '--split', 'kfold:4'])).split).toMatchObject({ kind: 'kfold', folds: 4 });
    expect((await configOf(['stacked', '--split', 'random'])).split.kind).toBe('random');
    expect((await configOf(['self-taught'])).split.kind).toBe('auto');
    expect((await configOf(['conv-ae', '--labels', 'folders'])).data.labels).toBe('folders');
    await expect(configOf(['self-taught', '--split', 'kfold:1'])).rejects.toThrow(/--split kfold:K needs K >= 2/);
    await expect(configOf(['self-taught', '--split', 'halves'])).rejects.toThrow(/--split takes auto, official, random, speakers, loso or kfold:K/);
    await expect(configOf(['self-taught', '--labels', 'pattern:{speaker}_{index}'])).rejects.toThrow(/needs \{label\} in the pattern/);
  });
});

describe('one config builder', () => {
  it('a flag given with --config sets only its key: --hop 64 keeps the file\'s trimDb 30 and bands', async () => {
    const c = await configOf(['conv', '--config', join(ROOT, 'configs/fsdd-conv-speakers.json'), '--hop', '64']);
    expect(c.spectrum).toMatchObject({ hop: 64, trimDb: 30, bands: 40, transform: 'mel' });
    expect(c.split.kind).toBe('loso');
  });

  it('--mnist without --config normalises as a config file for MNIST does (none), and audio as audio configs do (rescale01)', async () => {
    const flags = await configOf(['train-sae', '--mnist', '/data/mnist']);
    const file = await configOf(['run', configFile({ data: { source: 'mnist', mnistDir: '/data/mnist' } })]);
    expect(flags.normalise).toBe('none');
    expect(file.normalise).toBe('none');
    expect((await configOf(['run', configFile({})])).normalise).toBe('rescale01');
    expect((await configOf(['train-sae', '--mnist', '--normalise', 'rescale01'])).normalise).toBe('rescale01');
  });

  it('the no-learning baseline is a config key (softmax.baseline), on by default for `run` and the commands alike', async () => {
    expect((await configOf(['conv'])).softmax.baseline).toBe(true);
    expect((await configOf(['run', configFile({ experiment: 'conv' })])).softmax.baseline).toBe(true);
    expect((await configOf(['conv', '--no-baseline'])).softmax.baseline).toBe(false);
    expect((await configOf(['self-taught', '--baseline'])).softmax.baseline).toBe(true);
    expect((await configOf(['run', configFile({ experiment: 'conv', softmax: { baseline: false } })])).softmax.baseline).toBe(false);
  });

  it('--set is applied once, last: a seed set by --set or --seed moves the derived seeds, whatever the file', async () => {
    const set = await configOf(['train-sae', '--set', 'run.seed=5']);
    expect([set.run.seed, set.windows.seed, set.split.seed]).toEqual([5, 5, 5]);
    const seed = await configOf(['conv', '--config', join(ROOT, 'configs/fsdd-conv.json'), '--seed', '6']);
    expect([seed.run.seed, seed.windows.seed, seed.split.seed]).toEqual([6, 6, 6]);
    // --set wins over the flag that sets the same key.
    expect((await configOf(['conv-ae', '--filters', '4,4', '--set', 'convAe.filters=[2]'])).convAe.filters).toEqual([2]);
  });

  it('errors name the flag, the file or the --set that caused them; contradicting flags are refused', async () => {
    await expect(configOf(['train-sae', '--set', 'spectrum.frameSize="8ms"', '--set', 'spectrum.hop="16ms"'])).rejects.toThrow(
      /--set: spectrum\.hop \(16ms\) must not exceed spectrum\.frameSize \(8ms\), or samples would be skipped: give a shorter --hop or a longer --frame, or leave the hop at "half"/,
    );
    // A frame alone keeps the default hop, half of it, whatever it is and whatever the rate.
    expect((await configOf(['train-sae', '--frame', '8ms'])).spectrum).toMatchObject({ frameSize: '8ms', hop: 'half' });
    expect((await configOf(['train-sae', '--frame', '512', '--sample-rate', '44100'])).spectrum).toMatchObject({ frameSize: 512, hop: 'half' });
    // "half" can be given back over a config file's hop in samples, which still loads as it was.
    expect((await configOf(['train-sae', '--config', join(ROOT, 'configs/fsdd-sae.json')])).spectrum).toMatchObject({ frameSize: 256, hop: 128 });
    expect((await configOf(['train-sae', '--config', join(ROOT, 'configs/fsdd-sae.json'), '--hop', 'half'])).spectrum).toMatchObject({ frameSize: 256, hop: 'half' });
    await expect(configOf(['train-sae', '--set', 'spectrum.hop="third"'])).rejects.toThrow(/spectrum\.hop must be a duration > 0 like "32ms" or "0\.032s", or "half" \(half the frame\)/);
    await expect(configOf(['train-sae', '--frame', '64', '--hop', '100'])).rejects.toThrow(/command-line flags: spectrum\.hop \(100\) must not exceed/);
    // One flag may fix what another alone would break.
    expect((await configOf(['train-sae', '--frame', '64', '--hop', '32'])).spectrum).toMatchObject({ frameSize: 64, hop: 32 });
    expect((await configOf(['train-sae', '--set', 'spectrum.frameSize=64', 'spectrum.hop=32'])).spectrum).toMatchObject({ frameSize: 64, hop: 32 });
    await expect(configOf(['train-sae', '--set', 'sae.hiden=3'])).rejects.toThrow(/--set sae\.hiden=3: unknown key sae\.hiden/);
    await expect(configOf(['train-sae', '--mnist', '--audio', 'x'])).rejects.toThrow(/--mnist and --audio contradict each other/);
    await expect(configOf(['mnist', 'da', '--patience', '5'])).rejects.toThrow(/--patience: unknown key baselines\.da\.patience/);
  });
});

describe('former flag names', () => {
  it('--lambda, --softmax-lambda and --choose-lambda (weight decay\'s old names) still work, with a note, and are not in --help', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const old = await configOf(['stacked', '--lambda', '0.01', '--softmax-lambda', '0.002', '--choose-lambda', '1e-5,1e-4']);
      const now = await configOf(['stacked', '--weight-decay', '0.01', '--softmax-weight-decay', '0.002', '--choose-weight-decay', '1e-5,1e-4']);
      expect(old).toEqual(now);
      expect(now.sae.weightDecay).toBe(0.01);
      expect(now.softmax).toMatchObject({ weightDecay: 0.002, chooseWeightDecay: [1e-5, 1e-4] });
      expect(stderr.mock.calls.map((c) => String(c[0]))).toEqual([
        'note: --lambda is now called --weight-decay\n',
        'note: --softmax-lambda is now called --softmax-weight-decay\n',
        'note: --choose-lambda is now called --choose-weight-decay\n',
      ]);
    } finally {
      stderr.mockRestore();
    }
    const help = (await buildProgram()).commands.find((c) => c.name() === 'stacked')!.helpInformation();
    expect(help).toMatch(/--weight-decay <x>/);
    expect(help).not.toMatch(/lambda/);
  });
});

describe('help', () => {
  it('shows each default once, from the table, and the run names the commands really use', () => {
    const runs = runCli(['runs', '--help']).stdout;
    expect(runs.match(/default/g)).toHaveLength(1);
    expect(runs).toMatch(/folder of runs \(default: outputs\)/);
    const start = runCli(['start', '--help']).stdout;
    expect(start).toMatch(/\(default:\s+self-taught-<date>-<time>\)/);
    // Every command that writes a run says where: start too.
    expect(start).toMatch(/--outputs <dir>\s+folder of runs/);
    expect(runCli(['run', '--help']).stdout).toMatch(/run\.seed of the config, else 1/);
    const sae = runCli(['train-sae', '--help']).stdout;
    const flat = sae.replace(/\s+/g, ' ');
    expect(flat).toMatch(/--frame <length> frame length, the FFT size: a duration like 32ms, rounded at the sample rate to the nearest power of two [^(]*\(in ratio[^)]*\), or a number of samples \(a power of two\) \(default: 32ms\)/);
    expect(flat).toMatch(/--hop <length> time between frame starts: half \(half the frame as resolved, so frames overlap by 50% at every rate\), a duration like 10ms \(rounded to the nearest whole sample at the sample rate\), or a number of samples \(default: half\)/);
    expect(sae).not.toMatch(/--no-cache/);
  });

  it('--version prints the version of package.json', () => {
    const r = runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(sflVersion());
    expect(sflVersion()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });
});

// resolveConfig is the library's entry: it fills the source-dependent default as the CLI does.
it('resolveConfig fills normalise from the data source', () => {
  expect(resolveConfig({ data: { source: 'mnist' } }).normalise).toBe('none');
  expect(resolveConfig({}).normalise).toBe('rescale01');
});
