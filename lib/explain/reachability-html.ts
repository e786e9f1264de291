/**
 * The reachability matrix as one self-contained HTML page (`cilium-explain matrix --html`):
 * inline CSS and an inline SVG graph, no script, and a Content-Security-Policy that forbids
 * fetching anything, so the page shows the same offline, in a CI artifact or a mail.
 *
 * - The graph: every workload on a circle; an arrow for each ordered pair of distinct workloads
 *   that a rule admits on some port (a deciding policy, verdict allowed). Pairs allowed because
 *   nothing isolates them are left out: with no policy, everything reaches everything.
 * - The matrix: a row per source, a column per destination (numbered as the rows); a cell is green when every port is
 *   allowed, red when every port is denied, grey when every port is unknown, amber when mixed;
 *   its tooltip lists each protocol's port ranges with their verdict and policy.
 */
import type { ReachabilityCell, ReachabilityMatrix } from "../paths";
import type { Verdict } from "../paths/types";
import { portsText } from "./reachability-diff";

const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1f2328}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;font-size:11px}
th,td{border:1px solid #d0d7de;padding:0}
th{font-weight:normal;background:#f6f8fa;padding:2px 4px;white-space:nowrap;text-align:left}
thead th{text-align:center;min-width:16px}
td{width:16px;height:16px}
th[scope=row]{max-width:26rem;overflow:hidden;text-overflow:ellipsis}
td.n{background:#f6f8fa;text-align:right;padding:0 4px;color:#57606a}
td.allowed{background:#2da44e}td.denied{background:#cf222e}td.unknown{background:#8c959f}td.mixed{background:#d4a72c}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
svg text{font-size:11px;fill:#1f2328}
svg line{stroke:#2da44e;stroke-opacity:.7}
svg circle{fill:#0969da}`;

/** Graph labels longer than this are shortened. */
const LABEL_MAX = 40;

type Summary = Verdict | "mixed";

function summary(cells: readonly ReachabilityCell[]): Summary {
  const verdicts = new Set(cells.map((c) => c.verdict));
  return verdicts.size === 1 ? ([...verdicts][0] as Summary) : "mixed";
}

function tooltip(from: string, to: string, cells: readonly ReachabilityCell[]): string {
  return [
    `${from} -> ${to}`,
    ...cells.map((c) => `${c.protocol} ${portsText(c.ports)}: ${c.verdict}${c.policy ? ` (${c.policy})` : ""}`),
  ].join("\n");
}

function graph(matrix: ReachabilityMatrix): string {
  const ids = matrix.workloads.map((w) => w.id);
  const n = ids.length;
  const radius = Math.max(120, n * 10);
  // Labels beside the circle: long ids shortened (the full id in the node's tooltip), with room
  // for the longest (about 6.5 px a character at 11 px).
  const labels = ids.map((id) => (id.length > LABEL_MAX ? `${id.slice(0, LABEL_MAX - 1)}…` : id));
  const margin = 20 + 6.5 * Math.max(0, ...labels.map((l) => l.length));
  const width = 2 * (radius + margin);
  const height = 2 * (radius + 20);
  const at = (i: number) => {
    const angle = (2 * Math.PI * i) / Math.max(n, 1) - Math.PI / 2;
    return { x: width / 2 + radius * Math.cos(angle), y: height / 2 + radius * Math.sin(angle), angle };
  };
  const index = new Map(ids.map((id, i) => [id, i]));
  const edges = new Set<string>();
  for (const c of matrix.cells)
    if (c.verdict === "allowed" && c.policy !== null && c.from !== c.to) edges.add(`${index.get(c.from)} ${index.get(c.to)}`);
  const f = (v: number) => v.toFixed(1);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" id="reachability-graph" width="${f(width)}" height="${f(height)}" viewBox="0 0 ${f(width)} ${f(height)}" role="img" aria-label="workloads and the paths rules admit">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#2da44e"/></marker></defs>',
  ];
  for (const edge of [...edges].sort()) {
    const [a, b] = edge.split(" ").map(Number);
    const p = at(a);
    const q = at(b);
    // End the arrow at the circle's edge, not its centre.
    const dx = q.x - p.x;
    const dy = q.y - p.y;
    const len = Math.hypot(dx, dy) || 1;
    parts.push(
      `<line class="edge" data-from="${escapeHtml(ids[a])}" data-to="${escapeHtml(ids[b])}" x1="${f(p.x)}" y1="${f(p.y)}" x2="${f(q.x - (dx / len) * 6)}" y2="${f(q.y - (dy / len) * 6)}" marker-end="url(#arrow)"/>`,
    );
  }
  ids.forEach((id, i) => {
    const p = at(i);
    const right = Math.cos(p.angle) >= 0;
    const lx = p.x + (right ? 8 : -8);
    parts.push(
      `<g class="node" data-id="${escapeHtml(id)}"><title>${escapeHtml(id)}</title><circle cx="${f(p.x)}" cy="${f(p.y)}" r="5"/><text x="${f(lx)}" y="${f(p.y + 4)}" text-anchor="${right ? "start" : "end"}">${escapeHtml(labels[i])}</text></g>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}

function table(matrix: ReachabilityMatrix): string {
  const ids = matrix.workloads.map((w) => w.id);
  const byPair = new Map<string, ReachabilityCell[]>();
  for (const c of matrix.cells) {
    const key = `${c.from}\u0000${c.to}`;
    const list = byPair.get(key);
    if (list) list.push(c);
    else byPair.set(key, [c]);
  }
  const rows = [
    '<table id="reachability-matrix">',
    `<thead><tr><th>from \\ to</th><td class="n"></td>${ids.map((id, i) => `<th scope="col" title="${escapeHtml(id)}">${i + 1}</th>`).join("")}</tr></thead>`,
    "<tbody>",
  ];
  for (const from of ids) {
    const tds = ids.map((to) => {
      const cells = byPair.get(`${from}\u0000${to}`) ?? [];
      return `<td class="${summary(cells)}" title="${escapeHtml(tooltip(from, to, cells))}"></td>`;
    });
    rows.push(
      `<tr><th scope="row" title="${escapeHtml(from)}">${escapeHtml(from)}</th><td class="n">${ids.indexOf(from) + 1}</td>${tds.join("")}</tr>`,
    );
  }
  rows.push("</tbody></table>");
  return rows.join("\n");
}

/** The page. `title` names what the matrix was decided from. */
export function reachabilityHtml(matrix: ReachabilityMatrix, title: string): string {
  const counts = { allowed: 0, denied: 0, unknown: 0 };
  for (const c of matrix.cells) counts[c.verdict]++;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Reachability: ${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Reachability: ${escapeHtml(title)}</h1>
<p id="summary">${matrix.workloads.length} workloads; ${matrix.cells.length} port ranges: ${counts.allowed} allowed, ${counts.denied} denied, ${counts.unknown} unknown.</p>
<h2>Paths the rules admit</h2>
${graph(matrix)}
<h2>Matrix</h2>
<p class="legend">Columns are numbered as the rows. Every port<span style="background:#2da44e"></span>allowed<span style="background:#cf222e"></span>denied<span style="background:#8c959f"></span>unknown<span style="background:#d4a72c"></span>some allowed, some not. Hover a cell for its port ranges.</p>
${table(matrix)}
</body>
</html>
`;
}
