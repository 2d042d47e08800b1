/** The console's stylesheet, served as /app.css (a file of its own, as the CSP requires). */
export const STYLE = `
:root {
  --bg: #0d1117; --panel: #151b23; --panel-2: #1b232d; --line: #273140; --text: #e6edf3;
  --muted: #8b98a8; --accent: #4f8cff; --accent-2: #2f6fe0; --ok: #2fb67c; --warn: #e0a526;
  --bad: #ef5b5b; --chip: #222c38; --radius: 10px;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "D2Coding", monospace;
  color-scheme: dark;
}
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body {
  background: var(--bg); color: var(--text);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans KR", "Apple SD Gothic Neo", sans-serif;
}
a { color: var(--accent); text-decoration: none; }
button, input, select {
  font: inherit; color: inherit; background: var(--panel-2); border: 1px solid var(--line);
  border-radius: 7px; padding: 7px 11px;
}
button { cursor: pointer; background: var(--chip); }
button:hover { border-color: var(--accent); }
button.primary { background: var(--accent-2); border-color: var(--accent-2); color: #fff; font-weight: 600; }
button.danger { background: #3a1d22; border-color: #6b2b33; color: #ffb4b4; }
button.ok { background: #173a2b; border-color: #24684a; color: #a7f0cc; }
button:disabled { opacity: .5; cursor: default; }
input:focus, select:focus, button:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
.layout { display: grid; grid-template-columns: 220px 1fr; min-height: 100vh; }
.side { background: var(--panel); border-right: 1px solid var(--line); padding: 18px 12px; display: flex; flex-direction: column; gap: 4px; }
.brand { display: flex; align-items: center; gap: 10px; font-weight: 700; font-size: 17px; padding: 4px 10px 18px; letter-spacing: .2px; }
.brand .star { width: 26px; height: 26px; border-radius: 7px; background: linear-gradient(135deg, #4f8cff, #7b5cff); display: grid; place-items: center; color: #fff; font-size: 15px; }
.nav a { display: flex; justify-content: space-between; align-items: center; padding: 8px 10px; border-radius: 7px; color: var(--muted); }
.nav a:hover { background: var(--panel-2); color: var(--text); }
.nav a.active { background: #1f2a3a; color: var(--text); box-shadow: inset 3px 0 0 var(--accent); }
.badge { background: var(--bad); color: #fff; border-radius: 99px; font-size: 11px; padding: 1px 7px; font-weight: 700; }
.side .foot { margin-top: auto; display: flex; flex-direction: column; gap: 8px; padding: 10px; color: var(--muted); font-size: 12px; }
.main { padding: 22px 28px; min-width: 0; }
.top { display: flex; align-items: center; justify-content: space-between; margin-bottom: 18px; gap: 12px; }
.top h1 { font-size: 20px; margin: 0; font-weight: 650; }
.top .actions { display: flex; gap: 8px; align-items: center; }
.grid { display: grid; gap: 14px; }
.kpis { grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); }
.two { grid-template-columns: minmax(0, 2fr) minmax(0, 1fr); }
@media (max-width: 1100px) { .two { grid-template-columns: 1fr; } }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 16px; min-width: 0; }
.card h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .6px; color: var(--muted); margin: 0 0 12px; font-weight: 600; }
.kpi .value { font-size: 28px; font-weight: 700; }
.kpi .label { color: var(--muted); font-size: 12px; }
.status { display: flex; gap: 16px; align-items: center; }
.level { font-size: 22px; font-weight: 800; padding: 8px 18px; border-radius: 9px; letter-spacing: .5px; line-height: 1.25; white-space: nowrap; flex: none; }
.level.normal { background: #143326; color: #6ee7b0; }
.level.caution { background: #3b3012; color: #ffd166; }
.level.danger { background: #43181c; color: #ff8a8a; }
.level.unknown { background: var(--chip); color: var(--muted); }
.reasons { margin: 0; padding-left: 18px; color: var(--muted); }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .4px; }
tbody tr:hover { background: #18202a; }
td.mono, .mono { font-family: var(--mono); font-size: 12.5px; }
.raw { font-family: var(--mono); font-size: 12px; color: #b9c4d0; white-space: pre-wrap; word-break: break-all; }
.muted { color: var(--muted); }
.empty { color: var(--muted); padding: 18px 4px; text-align: center; }
.chip { display: inline-block; background: var(--chip); border: 1px solid var(--line); border-radius: 99px; padding: 1px 9px; font-size: 12px; }
.chip.fail { color: #ffb4b4; border-color: #5a2a30; }
.chip.success { color: #a7f0cc; border-color: #24684a; }
.chip.finding { color: #ffd166; border-color: #5a4a1c; }
.chip.response { color: #a9c6ff; border-color: #2b4778; }
.chip.unenforced { color: #ffb4b4; border-color: #5a2a30; font-weight: 700; }
.dry-run { border-color: #6b2b33; color: #ffb4b4; font-weight: 600; }
.feed { display: flex; flex-direction: column; gap: 6px; max-height: calc(100vh - 170px); overflow: auto; }
.feed .item { display: grid; grid-template-columns: 90px 90px 1fr; gap: 10px; padding: 8px 10px; border-radius: 7px; background: var(--panel-2); border: 1px solid var(--line); }
.feed .item.new { animation: flash 1.2s ease-out; }
@keyframes flash { from { border-color: var(--accent); } to { border-color: var(--line); } }
.approval { display: grid; grid-template-columns: 1fr auto; gap: 12px; align-items: center; }
.approval .what { font-size: 16px; font-weight: 650; }
.approval .meta { color: var(--muted); font-size: 12.5px; margin-top: 4px; }
.approval .buttons { display: flex; gap: 8px; }
.toolbar { display: flex; gap: 8px; margin-bottom: 12px; flex-wrap: wrap; }
.toolbar input { min-width: 260px; }
.bar { height: 8px; background: var(--chip); border-radius: 99px; overflow: hidden; min-width: 80px; }
.bar > span { display: block; height: 100%; background: linear-gradient(90deg, #ef5b5b, #ff8a5b); }
.src-ok { color: var(--ok); } .src-bad { color: var(--bad); }
.toast { position: fixed; right: 20px; bottom: 20px; background: var(--panel-2); border: 1px solid var(--line); padding: 10px 14px; border-radius: 8px; max-width: 420px; }
.toast.error { border-color: #6b2b33; color: #ffb4b4; }
.login { min-height: 100vh; display: grid; place-items: center; }
.login form { width: 340px; display: flex; flex-direction: column; gap: 12px; }
.login .error { color: #ffb4b4; min-height: 1.4em; font-size: 13px; }
.lang { display: flex; gap: 4px; }
.lang button { padding: 3px 8px; font-size: 12px; }
.lang button[aria-pressed="true"] { border-color: var(--accent); color: #fff; }
.live-dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: var(--bad); margin-right: 6px; }
.live-dot.on { background: var(--ok); box-shadow: 0 0 0 3px #2fb67c33; }
.chart { width: 100%; min-height: 240px; }
.uplot, .uplot * { color: var(--muted); }
`;
