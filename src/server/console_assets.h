// The console's stylesheet and script (server/console.h), shipped in the binary: no CDN, no
// network at run time. The script only polls /console/rates and draws each listener's request
// and 5xx rates of the last minute as a small SVG chart; the tables work without it.
#pragma once

#include <string_view>

namespace openalb {

inline constexpr std::string_view kConsoleCss = R"css(
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1b1f24; background: #f6f7f9; }
header { display: flex; gap: 1em; align-items: baseline; padding: .6em 1.2em; background: #1b1f24; color: #fff; }
header h1 { font-size: 1.2em; margin: 0; }
header form { margin-left: auto; }
main { padding: 0 1.2em 2em; }
main.login { max-width: 28em; margin: 4em auto; background: #fff; padding: 1.5em; border-radius: 6px; }
h2 { font-size: 1.05em; margin: 1.6em 0 .4em; }
h2 small { color: #667; font-weight: normal; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid #e3e5e8; vertical-align: top; }
th { background: #eef0f3; font-weight: 600; }
.expiring { color: #b42318; font-weight: 600; }
.error { color: #b42318; }
.health { font-weight: 600; }
td.chart svg { width: 120px; height: 28px; }
td.chart .requests { stroke: #1f6feb; fill: none; stroke-width: 1.5; }
td.chart .errors { stroke: #b42318; fill: none; stroke-width: 1.5; }
)css";

inline constexpr std::string_view kConsoleIcon =
    R"svg(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f6feb"/><path d="M3 12 8 4l5 8" stroke="#fff" stroke-width="2" fill="none"/></svg>)svg";

inline constexpr std::string_view kConsoleJs = R"js('use strict';
// Polls this console's /console/rates (same origin, the session cookie) every two seconds and
// shows each listener's requests/s and 5xx/s, with the last minute as a small chart.
(() => {
  const samples = 30;
  const history = new Map();  // listener id -> [{t, answered, errors}]
  const svgNs = 'http://www.w3.org/2000/svg';

  function line(points, max, cls) {
    const path = document.createElementNS(svgNs, 'polyline');
    path.setAttribute('class', cls);
    path.setAttribute('points', points.map((v, i) =>
      `${(i * 120 / (samples - 1)).toFixed(1)},${(27 - (max > 0 ? v / max : 0) * 26).toFixed(1)}`).join(' '));
    return path;
  }

  async function poll() {
    let body;
    try {
      const answer = await fetch('/console/rates', { credentials: 'same-origin', cache: 'no-store' });
      if (!answer.ok) return;
      body = await answer.json();
    } catch {
      return;
    }
    for (const listener of body.listeners) {
      const seen = history.get(listener.id) || [];
      seen.push({ t: body.time_ms, answered: listener.answered, errors: listener.server_errors });
      while (seen.length > samples + 1) seen.shift();
      history.set(listener.id, seen);
      const row = document.querySelector(`tr[data-listener="${CSS.escape(listener.id)}"]`);
      if (!row || seen.length < 2) continue;
      const rates = [];
      const errors = [];
      for (let i = 1; i < seen.length; ++i) {
        const seconds = Math.max(0.001, (seen[i].t - seen[i - 1].t) / 1000);
        rates.push((seen[i].answered - seen[i - 1].answered) / seconds);
        errors.push((seen[i].errors - seen[i - 1].errors) / seconds);
      }
      row.querySelector('td.rate').textContent = rates[rates.length - 1].toFixed(1);
      row.querySelector('td.errors').textContent = errors[errors.length - 1].toFixed(1);
      while (rates.length < samples) { rates.unshift(0); errors.unshift(0); }
      const max = Math.max(...rates, ...errors);
      const svg = document.createElementNS(svgNs, 'svg');
      svg.setAttribute('viewBox', '0 0 120 28');
      svg.setAttribute('role', 'img');
      svg.setAttribute('aria-label', `requests per second over the last minute, peak ${max.toFixed(1)}`);
      svg.append(line(rates, max, 'requests'), line(errors, max, 'errors'));
      row.querySelector('td.chart').replaceChildren(svg);
    }
  }

  poll();
  setInterval(poll, 2000);
})();
)js";

}  // namespace openalb
