import { useMemo, useState } from 'preact/hooks';
import type { ChipStatus } from '../api';
import { num, rate } from '../format';
import { useLive, usePoll } from '../hooks';

type Metric = 'freq' | 'hw' | 'nonces';
const METRICS: Record<Metric, { label: string; of: (c: ChipStatus) => number }> = {
  freq: { label: 'frequency (MHz)', of: (c) => c.freq_mhz ?? 0 },
  hw: { label: 'HW errors', of: (c) => c.hw_errors },
  nonces: { label: 'nonces', of: (c) => c.nonces },
};

/** Colour from cold (low) to hot (high), on this chain's range. */
function heat(v: number, lo: number, hi: number): string {
  const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
  return `hsl(${Math.round(220 - 220 * t)} 65% 30%)`; // dark at every hue: white labels keep 4.5:1 contrast
}

export function Boards() {
  const l = useLive();
  const chips = usePoll<ChipStatus[]>('/api/v1/chips', 2000);
  const [metric, setMetric] = useState<Metric>('nonces');
  const [sel, setSel] = useState<{ chain: number; chip: number } | null>(null);
  const s = l.status;
  const m = METRICS[metric];
  const chainIds = (s?.chains ?? []).map((c) => c.index).join(',');
  // the heat map (hundreds of cells) is rebuilt when the chips are polled, not on every status tick
  const cells = useMemo(
    () => (
      <>
          {chainIds.split(',').filter(Boolean).map((ci) => ({ index: Number(ci) })).map((c) => {
            const list = (chips.data ?? []).filter((x) => x.chain === c.index);
            const vals = list.map(m.of);
            const lo = Math.min(...vals);
            const hi = Math.max(...vals);
            return (
              <section key={c.index} class="heatmap" aria-label={`chain ${c.index} chips`}>
                <h2>Chain {c.index}</h2>
                <div class="cells">
                  {list.map((x) => (
                    <button
                      type="button"
                      key={x.chip}
                      class={`cell ${x.health}`}
                      style={{ background: heat(m.of(x), lo, hi) }}
                      aria-label={`chip ${x.chip}: ${m.label} ${m.of(x)}, ${x.health}`}
                      aria-pressed={sel?.chain === x.chain && sel?.chip === x.chip}
                      onClick={() => setSel({ chain: x.chain, chip: x.chip })}
                    >
                      {x.chip}
                    </button>
                  ))}
                </div>
              </section>
            );
          })}
      </>
    ),
    [chips.data, metric, sel, chainIds],
  );
  if (!s) return <p>Waiting for the first status…</p>;
  const chosen = sel && chips.data?.find((c) => c.chain === sel.chain && c.chip === sel.chip);
  return (
    <div>
      <table class="table" tabIndex={0}>
        <caption>Hash boards ({s.hashboards.backend}{s.hashboards.model ? ` ${s.hashboards.model}` : ''}{s.hashboards.simulated ? ', simulated' : ''})</caption>
        <thead>
          <tr>
            <th scope="col">chain</th>
            <th scope="col">chips</th>
            <th scope="col">hashrate 1m</th>
            <th scope="col">freq</th>
            <th scope="col">nonces</th>
            <th scope="col">HW err</th>
            <th scope="col">CRC err</th>
          </tr>
        </thead>
        <tbody>
          {s.chains.map((c) => (
            <tr key={c.index}>
              <td>{c.index}</td>
              <td>
                {c.chips_found}/{c.chips_expected}
              </td>
              <td>{rate(c.hashrate['1m'].hps)}</td>
              <td>{num(c.freq_mhz, 0, ' MHz')}</td>
              <td>{c.nonces}</td>
              <td>{c.hw_errors}</td>
              <td>{c.crc_errors}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <fieldset class="inline">
        <legend>Heat map shows (per chain: blue lowest, red highest)</legend>
        {(Object.keys(METRICS) as Metric[]).map((k) => (
          <label key={k}>
            <input type="radio" name="metric" value={k} checked={metric === k} onChange={() => setMetric(k)} /> {METRICS[k].label}
          </label>
        ))}
      </fieldset>
      {chips.error ? <p class="err">{chips.error}</p> : null}
      {cells}
      {chosen ? (
        <section class="card" aria-label="Selected chip" data-testid="chip-detail">
          <h2>
            Chain {chosen.chain}, chip {chosen.chip}
          </h2>
          <dl>
            <dt>health</dt>
            <dd>{chosen.health}</dd>
            <dt>frequency</dt>
            <dd>{num(chosen.freq_mhz, 0, ' MHz')}{chosen.freq_plan ? ` (tuner ${chosen.freq_plan.base_mhz} MHz, cap ${chosen.freq_plan.cap_mhz ?? 'none'}, scale ${chosen.freq_plan.scale})` : ''}</dd>
            <dt>hashrate 1m / 15m</dt>
            <dd>
              {rate(chosen.hashrate['1m'].hps)} / {rate(chosen.hashrate['15m'].hps)}
            </dd>
            <dt>nonces / HW errors</dt>
            <dd>
              {chosen.nonces} / {chosen.hw_errors}
            </dd>
            <dt>last nonce</dt>
            <dd>{chosen.last_nonce_ms === null ? 'never' : `${Math.round(chosen.last_nonce_ms)} ms (daemon clock)`}</dd>
          </dl>
          <p class="help">Per-chip history is not recorded on the device yet; the history page has the miner-wide series.</p>
        </section>
      ) : null}
    </div>
  );
}
