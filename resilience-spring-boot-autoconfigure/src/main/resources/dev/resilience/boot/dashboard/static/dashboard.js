// The resilience dashboard: polls the snapshot endpoint (GET {actuator}/resilience) every
// second and keeps one tile per instance, updated in place. No library, no build step.
//
// Design notes (why it is written this way):
// - Every tile lives in a Map by "primitive/name"; an update only writes the text, attributes
//   and SVG points that changed (setText/setAttr keep the last value), so a poll of 500
//   instances creates no element once the tiles exist. window.resilienceDashboard.stats tells
//   the duration of the last render and how many nodes it created (the browser tests read it).
// - The history (calls per second) is kept here, merged sample by sample from ?since=, so each
//   poll carries only the new samples; events likewise with ?eventsSince=.
// - All DOM writes of a poll happen in one animation frame; nothing is rendered while the tab is
//   hidden (polling slows down and only merges the data), and charts of tiles off screen or
//   filtered out are drawn when they come into view.
// - The Content-Security-Policy forbids inline styles and scripts: styles are classes, or set
//   through the CSSOM (element.style), never through a style attribute.
'use strict';

(() => {
	const POLL_MILLIS = 1000;
	const HIDDEN_POLL_MILLIS = 5000;
	const MAX_SAMPLES = 180;
	const MAX_EVENTS = 200;
	const SVG = 'http://www.w3.org/2000/svg';

	const metaContent = (name) => {
		const meta = document.querySelector(`meta[name="${name}"]`);
		return meta ? meta.getAttribute('content') : '';
	};
	const snapshotUrl = metaContent('resilience-snapshot');
	const rootUrl = metaContent('resilience-root');

	const stats = {
		updates: 0,
		tiles: 0,
		firstRenderMillis: null,
		renderMillis: null,
		nodesCreated: 0,
		tilesCreated: 0,
		firstSnapshotBytes: null,
		snapshotBytes: null,
		fetchMillis: null,
		cspViolations: 0,
	};
	// Anything the Content-Security-Policy refuses (an inline style, say) is counted, so that
	// the browser tests see it.
	document.addEventListener('securitypolicyviolation', () => stats.cspViolations++);
	const api = { stats, poll: () => poll() };
	window.resilienceDashboard = api;

	// ---- small DOM helpers -------------------------------------------------------------

	let created = 0;

	function h(tag, className, text) {
		const el = document.createElement(tag);
		created++;
		if (className) {
			el.className = className;
		}
		if (text !== undefined) {
			el.textContent = text;
		}
		return el;
	}

	function svg(tag, attrs) {
		const el = document.createElementNS(SVG, tag);
		created++;
		for (const [k, v] of Object.entries(attrs || {})) {
			el.setAttribute(k, v);
		}
		return el;
	}

	function setText(el, value) {
		const text = String(value);
		if (el._text !== text) {
			el._text = text;
			el.textContent = text;
		}
	}

	function setAttr(el, name, value) {
		const key = '_a_' + name;
		if (el[key] !== value) {
			el[key] = value;
			if (value === null) {
				el.removeAttribute(name);
			}
			else {
				el.setAttribute(name, value);
			}
		}
	}

	function setHidden(el, hidden) {
		if (el.hidden !== hidden) {
			el.hidden = hidden;
		}
	}

	function setWidth(el, percent) {
		const value = Math.max(0, Math.min(100, percent)).toFixed(1) + '%';
		if (el._width !== value) {
			el._width = value;
			el.style.width = value; // CSSOM: allowed by the CSP, a style attribute would not be
		}
	}

	function setLeft(el, percent) {
		const value = Math.max(0, Math.min(100, percent)).toFixed(1) + '%';
		if (el._left !== value) {
			el._left = value;
			el.style.left = value;
		}
	}

	// ---- formatting ----------------------------------------------------------------------

	const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

	function rate(v) {
		if (!isNum(v)) {
			return '–';
		}
		if (v === 0) {
			return '0';
		}
		return v < 10 ? v.toFixed(1) : Math.round(v).toString();
	}

	// One formatter for every number: toLocaleString builds one per call, which shows with
	// thousands of figures per update.
	const grouping = new Intl.NumberFormat('en');

	function count(v) {
		return isNum(v) ? grouping.format(v) : '–';
	}

	function percent(v) {
		// A no-break space: the unit never wraps away from its number.
		return isNum(v) && v >= 0 ? (v < 10 ? v.toFixed(1) : Math.round(v).toString()) + '\u00a0%' : '–';
	}

	function millis(v) {
		if (!isNum(v)) {
			return '–';
		}
		if (v >= 1000) {
			return (v / 1000).toFixed(v >= 10000 ? 0 : 1) + ' s';
		}
		return (v < 10 ? v.toFixed(1) : Math.round(v).toString()) + ' ms';
	}

	// ISO-8601 (Duration.toString(): PT1S, PT0.5S, PT2M30S, PT1H) to milliseconds.
	function durationMillis(iso) {
		const m = /^(-)?P(?:(\d+)D)?(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?\d+(?:\.\d+)?)S)?)?$/.exec(iso || '');
		if (!m) {
			return null;
		}
		const value = ((+(m[2] || 0) * 24 + +(m[3] || 0)) * 60 + +(m[4] || 0)) * 60000 + +(m[5] || 0) * 1000;
		return m[1] ? -value : value;
	}

	function duration(iso) {
		const ms = durationMillis(iso);
		if (ms === null) {
			return iso == null ? '–' : String(iso);
		}
		if (ms === 0) {
			return '0 s';
		}
		if (ms < 1000) {
			return ms + ' ms';
		}
		if (ms < 60000) {
			return +(ms / 1000).toFixed(3) + ' s';
		}
		if (ms < 3600000) {
			return +(ms / 60000).toFixed(2) + ' min';
		}
		return +(ms / 3600000).toFixed(2) + ' h';
	}

	// The form a person types (and the endpoint accepts): 2s, 500ms.
	function simpleDuration(iso) {
		const ms = durationMillis(iso);
		if (ms === null) {
			return iso;
		}
		return ms % 1000 === 0 ? ms / 1000 + 's' : ms + 'ms';
	}

	function clock(iso) {
		const d = new Date(iso);
		return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleTimeString('en-GB', { hour12: false });
	}

	// ---- tiles -----------------------------------------------------------------------------

	// Trouble levels, highest first in the sort: 3 failing (open, Redis down), 2 rejecting or
	// saturated, 1 worth a look (disabled, retrying), 0 fine.
	const LEVEL_TEXT = ['ok', 'attention', 'degraded', 'failing'];

	function figure(tile, key, label, parent) {
		const row = h('div', 'fig');
		row.dataset.figure = key;
		row.append(h('dt', 'fig-label', label));
		const value = h('dd', 'fig-value', '–');
		row.append(value);
		(parent || tile.figs).append(row);
		tile.f[key] = value;
		tile.rows[key] = row;
		return value;
	}

	// A horizontal bar (value against a scale) with an optional threshold mark; the text
	// beside it says the same, so the bar itself is hidden from assistive technology.
	function bar(tile, key, label) {
		const wrap = h('div', 'bar-row');
		wrap.dataset.figure = key;
		const head = h('div', 'bar-head');
		const labelEl = h('span', 'bar-label', label);
		head.append(labelEl);
		const text = h('span', 'bar-text', '–');
		head.append(text);
		const track = h('div', 'bar');
		track.setAttribute('aria-hidden', 'true');
		const fill = h('div', 'bar-fill');
		const mark = h('div', 'bar-mark');
		track.append(fill, mark);
		wrap.append(head, track);
		tile.bars.append(wrap);
		tile.b[key] = { wrap, label: labelEl, text, fill, mark };
	}

	function updateBar(b, value, max, threshold, text, over) {
		setText(b.text, text);
		const known = isNum(value) && value >= 0 && isNum(max) && max > 0;
		setWidth(b.fill, known ? (value / max) * 100 : 0);
		b.fill.classList.toggle('over', !!over);
		b.wrap.classList.toggle('unknown', !known);
		if (isNum(threshold) && max > 0) {
			setHidden(b.mark, false);
			setLeft(b.mark, (threshold / max) * 100);
		}
		else {
			setHidden(b.mark, true);
		}
	}

	// A small chart of calls per second over the kept history: one line per outcome, each with
	// its own dash pattern so that the lines differ also without colour.
	function chart(tile, series) {
		const box = h('figure', 'chart');
		const drawing = svg('svg', {
			viewBox: `0 0 ${MAX_SAMPLES} 40`,
			preserveAspectRatio: 'none',
			role: 'img',
			class: 'chart-svg',
		});
		const title = svg('title');
		drawing.append(title);
		const lines = series.map((s, i) => {
			const line = svg('polyline', { class: `line s${i}`, points: '', 'vector-effect': 'non-scaling-stroke' });
			drawing.append(line);
			return line;
		});
		const legend = h('figcaption', 'legend');
		const values = series.map((s, i) => {
			const item = h('span', `key s${i}`);
			item.append(h('span', 'swatch'));
			const v = h('span', 'key-value', '–');
			item.append(v, document.createTextNode(' ' + s.label));
			created++;
			legend.append(item);
			return v;
		});
		const peak = h('span', 'peak muted', '');
		legend.append(peak);
		box.append(drawing, legend);
		tile.chartBox = box;
		tile.body.append(box);
		tile.chart = { series, drawing, title, lines, values, peak, drawnAt: -1 };
	}

	function drawChart(tile) {
		const c = tile.chart;
		const hist = histories.get(tile.key);
		if (!c || !hist || c.drawnAt === hist.last) {
			return;
		}
		c.drawnAt = hist.last;
		const data = c.series.map((s) => sumSeries(hist, s.keys));
		let peak = 0;
		for (const values of data) {
			for (const v of values) {
				if (v > peak) {
					peak = v;
				}
			}
		}
		// The y axis reaches at least 1/s, so that a trickle is not drawn as a flood; the
		// label says the real peak.
		const max = Math.max(1, peak);
		const seconds = hist.length();
		// The x axis spans at least a minute, so that a few seconds of history are not stretched over it.
		const span = Math.max(60, seconds);
		const scale = MAX_SAMPLES / span;
		data.forEach((values, i) => {
			const offset = span - values.length;
			let points = '';
			for (let j = 0; j < values.length; j++) {
				const y = 39 - (values[j] / max) * 37;
				points += ((offset + j) * scale).toFixed(1) + ',' + y.toFixed(1) + ' ';
			}
			setAttr(c.lines[i], 'points', points);
		});
		setText(c.peak, peak > 0 ? `peak ${rate(peak)}/s over ${seconds} s` : `no calls in ${seconds} s`);
		setText(c.title, `Calls per second over the last ${seconds} s, peak ${rate(peak)}`);
	}

	function sumSeries(hist, keys) {
		if (keys.length === 1) {
			return hist.series[keys[0]] || [];
		}
		const arrays = keys.map((k) => hist.series[k] || []);
		const n = Math.max(...arrays.map((a) => a.length));
		const out = new Array(n).fill(0);
		for (const a of arrays) {
			const offset = n - a.length;
			a.forEach((v, i) => (out[offset + i] += v));
		}
		return out;
	}

	function updateLegend(tile, rates) {
		const c = tile.chart;
		c.series.forEach((s, i) => {
			let total = 0;
			let known = false;
			for (const k of s.keys) {
				if (rates && isNum(rates[k])) {
					total += rates[k];
					known = true;
				}
			}
			setText(c.values[i], known ? rate(total) + '/s' : '–');
		});
	}

	function actionButtons(tile, buttons) {
		const row = h('div', 'actions');
		for (const [action, label, hint] of buttons) {
			const button = h('button', 'action', label);
			button.type = 'button';
			button.dataset.action = action;
			button.title = hint;
			row.append(button);
		}
		tile.actions = row;
		tile.body.append(row);
		return row;
	}

	// A small form: labelled inputs and one submit button; the values are filled from the
	// snapshot until the user edits them.
	function actionForm(tile, action, fields, submitLabel) {
		const form = h('form', 'action-form');
		form.dataset.action = action;
		form.noValidate = true;
		for (const [field, label, type] of fields) {
			const id = `${tile.id}-${field}`;
			const lab = h('label', 'field-label', label);
			lab.htmlFor = id;
			const input = h('input', 'field');
			input.id = id;
			input.name = field;
			input.type = type;
			input.autocomplete = 'off';
			if (type === 'number') {
				input.min = '0';
				input.step = '1';
				input.inputMode = 'numeric';
			}
			// Typed in: the snapshot no longer overwrites it, until it is submitted.
			const edited = () => (input.dataset.dirty = 'true');
			input.addEventListener('input', edited);
			input.addEventListener('change', edited);
			// Each label stays on the line of its field.
			const pair = h('span', 'field-pair');
			pair.append(lab, input);
			form.append(pair);
			tile.inputs[field] = input;
		}
		const submit = h('button', 'action', submitLabel);
		submit.type = 'submit';
		form.append(submit);
		tile.actions = form;
		tile.body.append(form);
	}

	function fillInput(tile, field, value) {
		const input = tile.inputs[field];
		if (!input || input.dataset.dirty === 'true' || document.activeElement === input) {
			return;
		}
		const text = value == null ? '' : String(value);
		if (input.value !== text) {
			input.value = text;
		}
	}

	let tileSeq = 0;
	let tilesCreated = 0;

	function createTile(kind, key, name) {
		const tile = {
			kind,
			key,
			name,
			id: `tile-${++tileSeq}`,
			f: {},
			b: {},
			rows: {},
			inputs: {},
			level: 0,
			visible: false,
			data: null,
		};
		const el = h('article', 'tile');
		tilesCreated++;
		el.id = tile.id;
		el.dataset.primitive = kind.id;
		el.dataset.name = name;
		el.dataset.key = key;
		el.setAttribute('aria-labelledby', `${tile.id}-name`);
		const head = h('header', 'tile-head');
		const title = h('h3', 'tile-name', name);
		title.id = `${tile.id}-name`;
		title.title = name;
		tile.badge = h('span', 'badge', '');
		head.append(title, tile.badge);
		tile.reason = h('p', 'reason', '');
		tile.body = h('div', 'tile-body');
		tile.figs = h('dl', 'figs');
		tile.bars = h('div', 'bars');
		tile.body.append(tile.bars, tile.figs);
		el.append(head, tile.reason, tile.body);
		tile.el = el;
		kind.build(tile);
		viewObserver.observe(el);
		return tile;
	}

	function setLevel(tile, level, reason) {
		tile.level = level;
		setAttr(tile.el, 'data-trouble', LEVEL_TEXT[level]);
		setText(tile.reason, reason);
		setHidden(tile.reason, !reason);
	}

	function setBadge(tile, text, state) {
		setText(tile.badge, text);
		setAttr(tile.badge, 'data-state', state);
		setAttr(tile.el, 'data-state', state);
	}

	// ---- the primitives ------------------------------------------------------------------

	const BREAKER_TEXT = {
		CLOSED: '',
		OPEN: 'Open: calls are rejected',
		FORCED_OPEN: 'Forced open: calls are rejected until closed by hand',
		HALF_OPEN: 'Half-open: trial calls decide',
		DISABLED: 'Disabled: every call is permitted, nothing is recorded',
	};

	const countdowns = new Set();

	const circuitBreakers = {
		id: 'circuitbreaker',
		single: 'circuit breaker',
		list: 'circuitBreakers',
		title: 'Circuit breakers',
		endpoint: 'circuitbreakers',
		nameOf: (i) => i.name,
		build(tile) {
			bar(tile, 'failureRate', 'Failure rate');
			bar(tile, 'slowCallRate', 'Slow calls');
			chart(tile, [
				{ keys: ['successful'], label: 'successful' },
				{ keys: ['failed'], label: 'failed' },
				{ keys: ['notPermitted'], label: 'not permitted' },
			]);
			figure(tile, 'notPermitted', 'Not permitted');
			figure(tile, 'buffered', 'Window');
			figure(tile, 'halfOpen', 'Half-open in');
			figure(tile, 'totals', 'Total');
			actionButtons(tile, [
				['force-open', 'Force open', 'POST state FORCED_OPEN: reject every call until closed'],
				['close', 'Close', 'POST state CLOSED: permit calls again, with an empty window'],
				['disable', 'Disable', 'POST state DISABLED: permit every call, record nothing'],
				['reset', 'Reset', 'POST reset: CLOSED as if new, totals zeroed'],
			]);
		},
		update(tile, cb) {
			const state = cb.state || 'UNKNOWN';
			setBadge(tile, state, state);
			const failing = cb.failureRate >= 0 && cb.failureRate >= cb.failureRateThreshold;
			const slow = cb.slowCallRate >= 0 && cb.slowCallRate >= cb.slowCallRateThreshold;
			const rejecting = cb.rates && cb.rates.notPermitted > 0;
			let level = 0;
			let reason = BREAKER_TEXT[state] ?? '';
			if (state === 'OPEN' || state === 'FORCED_OPEN') {
				level = 3;
			}
			else if (state === 'HALF_OPEN') {
				level = 2;
			}
			else if (failing || slow || rejecting) {
				level = 2;
				reason = failing ? 'Failure rate at or above its threshold'
						: slow ? 'Slow-call rate at or above its threshold' : 'Calls not permitted';
			}
			else if (state === 'DISABLED') {
				level = 1;
			}
			setLevel(tile, level, reason);
			const below = `– (${count(cb.bufferedCalls)} of ${count(cb.minimumNumberOfCalls)} calls)`;
			updateBar(tile.b.failureRate, cb.failureRate, 100, cb.failureRateThreshold,
					cb.failureRate >= 0 ? `${percent(cb.failureRate)} (threshold ${percent(cb.failureRateThreshold)})`
							: `${below}, threshold ${percent(cb.failureRateThreshold)}`, failing);
			const tracked = cb.slowCallDurationThreshold != null;
			setText(tile.b.slowCallRate.label, tracked ? `Slow calls (over ${duration(cb.slowCallDurationThreshold)})` : 'Slow calls');
			updateBar(tile.b.slowCallRate, tracked ? cb.slowCallRate : -1, 100, tracked ? cb.slowCallRateThreshold : null,
					tracked ? `${cb.slowCallRate >= 0 ? percent(cb.slowCallRate) : '–'} (threshold ${percent(cb.slowCallRateThreshold)})`
							: 'not tracked', slow);
			updateLegend(tile, cb.rates);
			setText(tile.f.notPermitted, `${count(cb.notPermittedCalls)} in this state (${rate(cb.rates && cb.rates.notPermitted)}/s)`);
			setText(tile.f.buffered, `${count(cb.bufferedCalls)} calls, ${count(cb.failedCalls)} failed, ${count(cb.slowCalls)} slow `
					+ `(${cb.slidingWindowType === 'TIME_BASED' ? 'last ' + count(cb.slidingWindowSize) + ' s' : 'last ' + count(cb.slidingWindowSize) + ' calls'})`);
			setText(tile.f.totals, `${count(cb.totalSuccessfulCalls)} ok, ${count(cb.totalFailedCalls)} failed, `
					+ `${count(cb.totalNotPermittedCalls)} not permitted`);
			if (state === 'OPEN' && isNum(cb.halfOpenInMillis)) {
				tile.halfOpenAt = performance.now() + cb.halfOpenInMillis;
				tile.automatic = cb.automaticTransitionFromOpenToHalfOpen;
				countdowns.add(tile);
				setHidden(tile.rows.halfOpen, false);
				updateCountdown(tile, performance.now());
			}
			else {
				countdowns.delete(tile);
				setHidden(tile.rows.halfOpen, true);
			}
		},
	};

	function countdown(ms) {
		if (ms < 60000) {
			return (ms / 1000).toFixed(1) + ' s';
		}
		const seconds = Math.floor(ms / 1000);
		if (seconds < 3600) {
			return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
		}
		return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
	}

	function updateCountdown(tile, now) {
		const left = tile.halfOpenAt - now;
		if (left > 0) {
			setText(tile.f.halfOpen, countdown(left));
		}
		else {
			setText(tile.f.halfOpen, tile.automatic ? 'now (moving to HALF_OPEN)' : 'at the next call');
		}
	}

	const retries = {
		id: 'retry',
		single: 'retry',
		list: 'retries',
		title: 'Retries',
		nameOf: (i) => i.name,
		build(tile) {
			bar(tile, 'budget', 'Retry budget');
			chart(tile, [
				{ keys: ['successfulWithoutRetry'], label: 'ok first try' },
				{ keys: ['failedWithRetry', 'failedWithoutRetry'], label: 'failed' },
				{ keys: ['retries'], label: 'retries' },
			]);
			figure(tile, 'outcomes', 'Calls');
			figure(tile, 'attempts', 'Attempts');
		},
		update(tile, r) {
			setBadge(tile, '', null);
			const rates = r.rates || {};
			const budget = r.budget;
			const low = budget && budget.maxTokens > 0 && budget.tokens / budget.maxTokens < 0.2;
			let level = 0;
			let reason = '';
			if (low) {
				level = 2;
				reason = 'Retry budget nearly spent: retries are being refused';
			}
			else if (rates.failedWithRetry > 0) {
				level = 2;
				reason = 'Calls fail after retrying';
			}
			else if (rates.retries > 0 || rates.successfulWithRetry > 0) {
				level = 1;
				reason = 'Retrying';
			}
			setLevel(tile, level, reason);
			setHidden(tile.b.budget.wrap, !budget);
			if (budget) {
				updateBar(tile.b.budget, budget.tokens, budget.maxTokens, null,
						`${budget.tokens.toFixed(1)} of ${budget.maxTokens.toFixed(0)} tokens`, low);
			}
			updateLegend(tile, rates);
			setText(tile.f.outcomes, `${count(r.successfulCallsWithoutRetry)} ok first try, `
					+ `${count(r.successfulCallsWithRetry)} ok after retry, ${count(r.failedCallsWithRetry)} failed after retry, `
					+ `${count(r.failedCallsWithoutRetry)} failed without retry`);
			setText(tile.f.attempts, `at most ${count(r.maxAttempts)}` + (budget ? '' : ', no retry budget'));
		},
	};

	const rateLimiters = {
		id: 'ratelimiter',
		single: 'rate limiter',
		list: 'rateLimiters',
		title: 'Rate limiters',
		endpoint: 'ratelimiters',
		nameOf: (i) => i.name,
		build(tile) {
			bar(tile, 'permits', 'Available permits');
			chart(tile, [
				{ keys: ['permitted'], label: 'permitted' },
				{ keys: ['rejected'], label: 'rejected' },
			]);
			figure(tile, 'limit', 'Limit');
			figure(tile, 'rejected', 'Rejected');
			figure(tile, 'keys', 'Keys');
			figure(tile, 'backend', 'Backend');
			actionForm(tile, 'rate-limit', [['limitForPeriod', 'Limit for period', 'number']], 'Set limit');
		},
		update(tile, rl) {
			const rates = rl.rates || {};
			const redisDown = rl.backend === 'redis' && rl.backendAvailable === false;
			setBadge(tile, redisDown ? 'REDIS UNAVAILABLE' : '', redisDown ? 'BACKEND_UNAVAILABLE' : null);
			let level = 0;
			let reason = '';
			if (redisDown) {
				level = 3;
				reason = `Redis unavailable: ${rl.onBackendFailure ? 'policy ' + rl.onBackendFailure : 'backend failing'}`;
			}
			else if (rates.rejected > 0) {
				level = 2;
				reason = `Rejecting ${rate(rates.rejected)} calls/s`;
			}
			else if (rl.keyed && rl.maxKeys > 0 && rl.liveKeys >= rl.maxKeys * 0.9) {
				level = 1;
				reason = 'Key count near its maximum';
			}
			setLevel(tile, level, reason);
			const capacity = rl.burstCapacity > 0 ? rl.burstCapacity : rl.limitForPeriod;
			updateBar(tile.b.permits, rl.availablePermissions, capacity, null,
					`${count(rl.availablePermissions)} of ${count(capacity)}`, rl.availablePermissions <= 0);
			updateLegend(tile, rates);
			setText(tile.f.limit, `${count(rl.limitForPeriod)} per ${duration(rl.limitRefreshPeriod)}`
					+ (rl.burstCapacity > 0 && rl.burstCapacity !== rl.limitForPeriod ? `, burst ${count(rl.burstCapacity)}` : '')
					+ `, wait up to ${duration(rl.timeoutDuration)}`);
			setText(tile.f.rejected, `${rate(rates.rejected)}/s (${count(rl.totalRejectedCalls)} in all, ${count(rl.totalPermittedCalls)} permitted)`);
			setHidden(tile.rows.keys, !rl.keyed);
			setText(tile.f.keys, `${count(rl.liveKeys)} live of at most ${count(rl.maxKeys)}`);
			setText(tile.f.backend, rl.backend === 'redis'
					? `redis, ${rl.backendAvailable === false ? 'UNAVAILABLE' : rl.backendAvailable === true ? 'available' : 'not used yet'}`
							+ (rl.onBackendFailure ? `, on failure: ${rl.onBackendFailure}` : '')
					: (rl.backend || 'local'));
			fillInput(tile, 'limitForPeriod', rl.limitForPeriod);
		},
	};

	const bulkheads = {
		id: 'bulkhead',
		single: 'bulkhead',
		list: 'bulkheads',
		title: 'Bulkheads',
		endpoint: 'bulkheads',
		eventPrimitive: 'bulkhead',
		nameOf: (i) => i.name,
		build(tile) {
			bar(tile, 'active', 'Concurrent calls');
			chart(tile, [
				{ keys: ['permitted'], label: 'permitted' },
				{ keys: ['rejected'], label: 'rejected' },
			]);
			figure(tile, 'rejected', 'Rejected');
			figure(tile, 'wait', 'Max wait');
			figure(tile, 'keys', 'Keys');
			figure(tile, 'limit', 'Limit');
			actionForm(tile, 'bulkhead-size', [['maxConcurrentCalls', 'Max concurrent calls', 'number']], 'Set size');
		},
		update(tile, b) {
			const rates = b.rates || {};
			const saturation = b.maxConcurrentCalls > 0 ? b.activeCalls / b.maxConcurrentCalls : 0;
			setBadge(tile, saturation >= 1 ? 'FULL' : '', saturation >= 1 ? 'FULL' : null);
			let level = 0;
			let reason = '';
			if (rates.rejected > 0) {
				level = 2;
				reason = `Rejecting ${rate(rates.rejected)} calls/s`;
			}
			else if (saturation >= 1) {
				level = 2;
				reason = 'Saturated: every slot in use';
			}
			else if (saturation >= 0.8) {
				level = 1;
				reason = 'Nearly saturated';
			}
			setLevel(tile, level, reason);
			updateBar(tile.b.active, b.activeCalls, b.maxConcurrentCalls, null,
					`${count(b.activeCalls)} of ${count(b.maxConcurrentCalls)} (${Math.round(saturation * 100)} %)`, saturation >= 0.8);
			updateLegend(tile, rates);
			setText(tile.f.rejected, `${rate(rates.rejected)}/s (${count(b.totalRejectedCalls)} in all, ${count(b.totalPermittedCalls)} permitted)`);
			setText(tile.f.wait, duration(b.maxWaitDuration));
			setHidden(tile.rows.keys, !b.keyed);
			setText(tile.f.keys, `${count(b.liveKeys)} live`);
			// An adaptive limit is found, not set: its size form would only be refused.
			const adaptive = b.limitAlgorithm && b.limitAlgorithm !== 'fixed';
			setText(tile.f.limit, adaptive ? `${count(b.maxConcurrentCalls)} (adaptive: ${b.limitAlgorithm})` : `${count(b.maxConcurrentCalls)} (fixed)`);
			const form = tile.inputs.maxConcurrentCalls && tile.inputs.maxConcurrentCalls.form;
			if (form) {
				form.hidden = Boolean(adaptive);
			}
			fillInput(tile, 'maxConcurrentCalls', b.maxConcurrentCalls);
		},
	};

	const threadPoolBulkheads = {
		id: 'threadpoolbulkhead',
		single: 'thread-pool bulkhead',
		list: 'threadPoolBulkheads',
		title: 'Thread-pool bulkheads',
		endpoint: 'bulkheads',
		eventPrimitive: 'bulkhead',
		nameOf: (i) => i.name,
		build(tile) {
			bar(tile, 'threads', 'Active threads');
			bar(tile, 'queue', 'Queue');
			chart(tile, [
				{ keys: ['permitted'], label: 'permitted' },
				{ keys: ['rejected'], label: 'rejected' },
			]);
			figure(tile, 'pool', 'Pool');
			figure(tile, 'rejected', 'Rejected');
			actionForm(tile, 'thread-pool-size', [
				['coreThreadPoolSize', 'Core threads', 'number'],
				['maxThreadPoolSize', 'Max threads', 'number'],
			], 'Set sizes');
		},
		update(tile, t) {
			const rates = t.rates || {};
			const queueFill = t.queueCapacity > 0 ? t.queueDepth / t.queueCapacity : 0;
			const busy = t.maxThreadPoolSize > 0 ? t.activeThreads / t.maxThreadPoolSize : 0;
			const full = queueFill >= 1;
			setBadge(tile, full ? 'QUEUE FULL' : '', full ? 'FULL' : null);
			let level = 0;
			let reason = '';
			if (rates.rejected > 0) {
				level = 2;
				reason = `Rejecting ${rate(rates.rejected)} calls/s`;
			}
			else if (queueFill >= 0.8) {
				level = 2;
				reason = 'Queue nearly full';
			}
			else if (busy >= 1) {
				level = 1;
				reason = 'Every thread busy';
			}
			setLevel(tile, level, reason);
			updateBar(tile.b.threads, t.activeThreads, t.maxThreadPoolSize, null,
					`${count(t.activeThreads)} of ${count(t.maxThreadPoolSize)}`, busy >= 1);
			updateBar(tile.b.queue, t.queueDepth, t.queueCapacity, null,
					`${count(t.queueDepth)} of ${count(t.queueCapacity)}`, queueFill >= 0.8);
			updateLegend(tile, rates);
			setText(tile.f.pool, `${count(t.threadPoolSize)} threads (core ${count(t.coreThreadPoolSize)}, max ${count(t.maxThreadPoolSize)})`);
			setText(tile.f.rejected, `${rate(rates.rejected)}/s (${count(t.totalRejectedCalls)} in all, ${count(t.totalPermittedCalls)} permitted)`);
			fillInput(tile, 'coreThreadPoolSize', t.coreThreadPoolSize);
			fillInput(tile, 'maxThreadPoolSize', t.maxThreadPoolSize);
		},
	};

	const timeouts = {
		id: 'timeout',
		single: 'timeout',
		list: 'timeouts',
		title: 'Timeouts',
		endpoint: 'timeouts',
		nameOf: (i) => i.name,
		build(tile) {
			chart(tile, [
				{ keys: ['successful'], label: 'successful' },
				{ keys: ['failed'], label: 'failed' },
				{ keys: ['timedOut'], label: 'timed out' },
			]);
			figure(tile, 'timedOut', 'Timed out');
			figure(tile, 'limit', 'Timeout');
			figure(tile, 'totals', 'Total');
			actionForm(tile, 'timeout', [['timeoutDuration', 'Timeout (e.g. 2s, 500ms)', 'text']], 'Set timeout');
		},
		update(tile, t) {
			const rates = t.rates || {};
			setBadge(tile, '', null);
			setLevel(tile, rates.timedOut > 0 ? 2 : 0, rates.timedOut > 0 ? `Timing out ${rate(rates.timedOut)} calls/s` : '');
			updateLegend(tile, rates);
			setText(tile.f.timedOut, `${rate(rates.timedOut)}/s (${count(t.totalTimedOutCalls)} in all)`);
			setText(tile.f.limit, duration(t.timeoutDuration));
			setText(tile.f.totals, `${count(t.totalSuccessfulCalls)} ok, ${count(t.totalFailedCalls)} failed`);
			fillInput(tile, 'timeoutDuration', simpleDuration(t.timeoutDuration));
		},
	};

	const methods = {
		id: 'method',
		single: 'method',
		list: 'methods',
		title: 'Method latencies',
		nameOf: (i) => i.method,
		build(tile) {
			bar(tile, 'p50', 'p50');
			bar(tile, 'p95', 'p95');
			bar(tile, 'p99', 'p99');
			figure(tile, 'count', 'Calls');
			figure(tile, 'outcomes', 'Outcomes');
			figure(tile, 'max', 'Max');
		},
		update(tile, m) {
			setBadge(tile, '', null);
			const o = m.outcomes || {};
			const bad = (o.failure || 0) + (o.rejected || 0);
			setLevel(tile, bad > 0 ? 1 : 0, bad > 0 ? `${count(bad)} failed or rejected in ${m.windowSeconds} s` : '');
			const scale = isNum(m.max) ? m.max : null;
			for (const p of ['p50', 'p95', 'p99']) {
				updateBar(tile.b[p], m[p], scale, null, millis(m[p]), false);
			}
			setText(tile.f.count, `${count(m.count)} in the last ${count(m.windowSeconds)} s`);
			setText(tile.f.outcomes, Object.entries(o).map(([k, v]) => `${count(v)} ${k}`).join(', ') || '–');
			setText(tile.f.max, millis(m.max));
		},
	};

	const KINDS = [circuitBreakers, retries, rateLimiters, bulkheads, threadPoolBulkheads, timeouts, methods];

	// ---- state -----------------------------------------------------------------------------

	const tiles = new Map(); // key -> tile
	const histories = new Map(); // key -> History
	const groups = new Map(); // kind id -> { section, list, count, order, note }
	const eventItems = new Map(); // event id -> li
	let latest = null; // the last snapshot, rendered or not
	let lastSample = null; // the last sample the history holds
	let lastEventId = null;
	let actions = {};
	let renderScheduled = false;
	let firstRenderDone = false;
	let pendingEvents = [];
	let eventsRestarted = false;
	let filterText = '';
	let eventFilter = '';
	const instanceOptions = new Map(); // "primitive/name" -> option

	class History {
		constructor() {
			this.series = {};
			this.last = null;
		}

		// values[k] covers samples first..last (both inclusive); only the samples newer than the
		// ones kept are added, and a gap (a sample missed) counts as zero.
		merge(history, first, last) {
			if (!history || last < first) {
				return;
			}
			const from = this.last === null ? first : Math.max(first, this.last + 1);
			if (from > last) {
				return;
			}
			const gap = this.last === null ? 0 : Math.min(MAX_SAMPLES, Math.max(0, from - this.last - 1));
			for (const [k, values] of Object.entries(history)) {
				if (!Array.isArray(values)) {
					continue;
				}
				let arr = this.series[k];
				if (!arr) {
					arr = this.series[k] = this.last === null ? [] : new Array(this.length()).fill(0);
				}
				for (let i = 0; i < gap; i++) {
					arr.push(0);
				}
				// Aligned to the end: an instance registered later has a shorter history.
				const offset = last - values.length + 1;
				for (let s = from; s <= last; s++) {
					const v = values[s - offset];
					arr.push(isNum(v) ? v : 0);
				}
				if (arr.length > MAX_SAMPLES) {
					arr.splice(0, arr.length - MAX_SAMPLES);
				}
			}
			this.last = last;
		}

		length() {
			for (const arr of Object.values(this.series)) {
				return arr.length;
			}
			return 0;
		}
	}

	// ---- polling ---------------------------------------------------------------------------

	const statusEl = document.getElementById('status');
	const lastUpdateEl = document.getElementById('last-update');
	const resultEl = document.getElementById('action-result');
	let statusKey = '';
	let pollTimer = null;
	let polling = false;
	let failures = 0;

	function setStatus(state, text) {
		// The live region is only rewritten when the connection's state changes, so that a
		// screen reader does not announce every poll.
		const key = state + '|' + text;
		if (key !== statusKey) {
			statusKey = key;
			statusEl.dataset.state = state;
			statusEl.textContent = text;
		}
	}

	function schedulePoll(delay) {
		clearTimeout(pollTimer);
		pollTimer = setTimeout(poll, delay);
	}

	async function poll() {
		if (polling) {
			return;
		}
		polling = true;
		clearTimeout(pollTimer);
		let url = snapshotUrl;
		const params = [];
		if (lastSample !== null) {
			params.push('since=' + lastSample);
		}
		if (lastEventId !== null) {
			params.push('eventsSince=' + lastEventId);
		}
		if (params.length) {
			url += (url.includes('?') ? '&' : '?') + params.join('&');
		}
		const started = performance.now();
		try {
			const response = await fetch(url, {
				credentials: 'same-origin',
				cache: 'no-store',
				headers: { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
			});
			const text = await response.text();
			if (!response.ok) {
				throw new SnapshotError(response.status, snapshotProblem(response.status, text));
			}
			const snapshot = JSON.parse(text);
			stats.fetchMillis = Math.round(performance.now() - started);
			stats.snapshotBytes = new Blob([text]).size;
			if (stats.firstSnapshotBytes === null) {
				stats.firstSnapshotBytes = stats.snapshotBytes;
			}
			accept(snapshot);
			failures = 0;
			setStatus('ok', 'Live');
		}
		catch (error) {
			failures++;
			const message = error instanceof SnapshotError ? error.message
					: error instanceof SyntaxError ? `The snapshot at ${snapshotPath} is not JSON (${error.message})`
							: `Cannot reach the application at ${snapshotPath} (${error.message}); retrying`;
			setStatus('error', message);
		}
		finally {
			polling = false;
			const base = document.hidden ? HIDDEN_POLL_MILLIS : POLL_MILLIS;
			schedulePoll(failures ? Math.min(10000, base * (1 + failures)) : base);
		}
	}

	class SnapshotError extends Error {
		constructor(status, message) {
			super(message);
			this.status = status;
		}
	}

	function bodyMessage(text) {
		try {
			const json = JSON.parse(text);
			return json && (json.message || json.error) ? String(json.message || json.error) : '';
		}
		catch (e) {
			return text && text.length < 200 && !/<\w/.test(text) ? text.trim() : '';
		}
	}

	const REASONS = {
		400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
		409: 'Conflict', 415: 'Unsupported Media Type', 500: 'Internal Server Error', 503: 'Service Unavailable',
	};

	function statusLine(status) {
		return `${status}${REASONS[status] ? ' ' + REASONS[status] : ''}`;
	}

	// The address as a person reads it: the path on this server.
	const snapshotPath = (() => {
		try {
			return new URL(snapshotUrl, location.href).pathname;
		}
		catch (e) {
			return snapshotUrl;
		}
	})();

	function snapshotProblem(status, text) {
		const message = bodyMessage(text);
		const said = message ? ` (${message})` : '';
		const answered = `The snapshot endpoint ${snapshotPath} answered ${statusLine(status)}${said}`;
		if (status === 404) {
			return `${answered}: expose it with management.endpoints.web.exposure.include=resilience`;
		}
		if (status === 401 || status === 403) {
			return `${answered}: the Actuator's access rules refused it`
					+ (status === 401 ? ' (sign in)' : ' (this user may not read it)');
		}
		return answered;
	}

	// Merges a snapshot's history and events (always, also while hidden) and schedules a render.
	function accept(snapshot) {
		const samples = snapshot.samples || {};
		if (lastSample !== null && isNum(samples.last) && samples.last < lastSample) {
			// The application restarted (its samples and event ids start again): start over.
			histories.clear();
			lastEventId = null;
			lastSample = null;
			pendingEvents = [];
			eventsRestarted = true;
		}
		if (isNum(samples.first) && isNum(samples.last)) {
			for (const kind of KINDS) {
				for (const inst of snapshot[kind.list] || []) {
					if (!inst.history) {
						continue;
					}
					const key = kind.id + '/' + kind.nameOf(inst);
					let hist = histories.get(key);
					if (!hist) {
						hist = new History();
						histories.set(key, hist);
					}
					hist.merge(inst.history, samples.first, samples.last);
				}
			}
			if (lastSample === null || samples.last > lastSample) {
				lastSample = samples.last;
			}
		}
		for (const event of snapshot.events || []) {
			if (lastEventId === null || event.id > lastEventId) {
				lastEventId = event.id;
				pendingEvents.push(event);
			}
		}
		if (pendingEvents.length > MAX_EVENTS) {
			pendingEvents.splice(0, pendingEvents.length - MAX_EVENTS);
		}
		latest = snapshot;
		requestRender();
	}

	function requestRender() {
		if (!renderScheduled && !document.hidden && latest) {
			renderScheduled = true;
			requestAnimationFrame(render);
		}
	}

	document.addEventListener('visibilitychange', () => {
		if (!document.hidden) {
			requestRender();
			poll();
		}
	});

	// ---- rendering -------------------------------------------------------------------------

	const groupsEl = document.getElementById('groups');

	function buildGroups() {
		for (const kind of KINDS) {
			const section = h('section', 'group');
			section.dataset.primitive = kind.id;
			section.setAttribute('aria-labelledby', `group-${kind.id}`);
			const title = h('h2', 'group-title');
			title.id = `group-${kind.id}`;
			title.append(document.createTextNode(kind.title + ' '));
			const countEl = h('span', 'group-count muted', '');
			title.append(countEl);
			const note = h('p', 'group-note muted', '');
			note.hidden = true;
			const list = h('div', 'tiles');
			section.append(title, note, list);
			section.hidden = true;
			groupsEl.append(section);
			groups.set(kind.id, { section, list, count: countEl, note, order: [], total: 0, trouble: 0 });
		}
	}

	function matches(tile) {
		return !filterText || tile.name.toLowerCase().includes(filterText);
	}

	function render() {
		renderScheduled = false;
		const snapshot = latest;
		if (!snapshot || document.hidden) {
			return;
		}
		const started = performance.now();
		created = 0;
		tilesCreated = 0;
		actions = snapshot.actions || {};
		const app = document.getElementById('application');
		setText(app, snapshot.application || '');
		const title = snapshot.application ? `Resilience: ${snapshot.application}` : 'Resilience dashboard';
		if (document.title !== title) {
			document.title = title;
		}
		let troubleTotal = 0;
		let total = 0;
		for (const kind of KINDS) {
			const group = groups.get(kind.id);
			const list = snapshot[kind.list] || [];
			const seen = new Set();
			const ordered = [];
			let trouble = 0;
			for (const inst of list) {
				const name = kind.nameOf(inst);
				const key = kind.id + '/' + name;
				seen.add(key);
				let tile = tiles.get(key);
				if (!tile) {
					tile = createTile(kind, key, name);
					tiles.set(key, tile);
					setHidden(tile.el, !matches(tile));
				}
				tile.data = inst;
				kind.update(tile, inst, snapshot);
				if (tile.chart && tile.visible && !tile.el.hidden && !compact) {
					drawChart(tile);
				}
				if (tile.actions) {
					const endpoint = kind.endpoint && actions[kind.endpoint];
					setHidden(tile.actions, !endpoint);
				}
				if (tile.level >= 2) {
					trouble++;
				}
				ordered.push(tile);
			}
			for (const [key, tile] of tiles) {
				if (tile.kind === kind && !seen.has(key)) {
					viewObserver.unobserve(tile.el);
					tile.el.remove();
					tiles.delete(key);
					histories.delete(key);
					countdowns.delete(tile);
				}
			}
			// Trouble first, then by name (the snapshot's order).
			ordered.sort((a, b) => b.level - a.level || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
			const order = ordered.map((t) => t.key);
			const changed = order.length !== group.order.length || order.some((k, i) => k !== group.order[i]);
			// Moving an element takes the focus from it: while the user is in a tile of the
			// group (typing a new limit, say), the order waits for the next update after it.
			if (changed && !group.list.contains(document.activeElement)) {
				// Only the tiles out of place move (one, when one tile's trouble changes); none
				// is created.
				const children = group.list.children;
				ordered.forEach((tile, i) => {
					if (children[i] !== tile.el) {
						group.list.insertBefore(tile.el, children[i] || null);
					}
				});
				group.order = order;
			}
			group.total = ordered.length;
			group.trouble = trouble;
			troubleTotal += trouble;
			total += ordered.length;
			if (kind === methods && snapshot.observations === false) {
				setText(group.note, 'Observations are off: no method latencies are recorded.');
				setHidden(group.note, false);
				setHidden(group.section, false);
			}
			else {
				setHidden(group.note, true);
				setHidden(group.section, ordered.length === 0);
			}
		}
		updateCounts();
		setText(document.getElementById('summary'), `${count(total)} instances, ${count(troubleTotal)} in trouble`);
		renderEvents(snapshot);
		setText(lastUpdateEl, `Last update ${clock(snapshot.timestamp)}`);
		setAttr(lastUpdateEl, 'data-timestamp', snapshot.timestamp || '');
		const elapsed = performance.now() - started;
		stats.renderMillis = Math.round(elapsed * 10) / 10;
		stats.nodesCreated = created;
		stats.tilesCreated = tilesCreated;
		stats.domNodes = document.getElementsByTagName('*').length;
		stats.tiles = tiles.size;
		stats.updates++;
		if (!firstRenderDone) {
			firstRenderDone = true;
			stats.firstRenderMillis = stats.renderMillis;
			stats.firstRenderNodes = created;
		}
		document.body.dataset.updates = String(stats.updates);
	}

	function updateCounts() {
		for (const kind of KINDS) {
			const group = groups.get(kind.id);
			let shown = 0;
			if (filterText) {
				for (const tile of tiles.values()) {
					if (tile.kind === kind && !tile.el.hidden) {
						shown++;
					}
				}
			}
			const parts = [];
			parts.push(filterText ? `${shown} of ${group.total}` : `${group.total}`);
			if (group.trouble) {
				parts.push(`${group.trouble} in trouble`);
			}
			setText(group.count, `(${parts.join(', ')})`);
		}
	}

	// ---- events ----------------------------------------------------------------------------

	const eventList = document.getElementById('event-list');
	const eventFilterEl = document.getElementById('event-filter');
	const eventsEmpty = document.getElementById('events-empty');
	const eventCount = document.getElementById('event-count');

	function eventInstance(primitive, name) {
		return primitive + '/' + name;
	}

	function describeEvent(event) {
		const d = event.details || {};
		if (d.fromState || d.toState) {
			return `${d.fromState || '?'} → ${d.toState || '?'}`;
		}
		const parts = [];
		for (const [k, v] of Object.entries(d)) {
			if (k === 'failure' && v && typeof v === 'object') {
				const type = String(v.type || '').split('.').pop();
				parts.push(v.message ? `${type}: ${v.message}` : type);
			}
			else if (v !== null && typeof v !== 'object') {
				parts.push(k === 'duration' || k === 'wait' ? `${k} ${duration(v)}` : `${k} ${v}`);
			}
		}
		return parts.join(', ');
	}

	function renderEvents(snapshot) {
		if (eventsRestarted) {
			eventsRestarted = false;
			eventItems.forEach((li) => li.remove());
			eventItems.clear();
			updateEventCount();
		}
		// The filter's choices: every instance of the snapshot (bulkheads of both kinds
		// publish "bulkhead" events).
		for (const kind of KINDS) {
			if (kind === methods) {
				continue;
			}
			for (const inst of snapshot[kind.list] || []) {
				const value = eventInstance(kind.eventPrimitive || kind.id, inst.name);
				if (!instanceOptions.has(value)) {
					const option = h('option', '', `${kind.single} ${inst.name}`);
					option.value = value;
					instanceOptions.set(value, option);
					insertOption(option);
				}
			}
		}
		if (pendingEvents.length) {
			const fragment = document.createDocumentFragment();
			for (const event of pendingEvents) {
				if (eventItems.has(event.id)) {
					continue;
				}
				const li = h('li', 'event');
				li.dataset.eventId = String(event.id);
				li.dataset.primitive = event.primitive;
				li.dataset.name = event.name;
				li.dataset.type = event.type;
				li.dataset.instance = eventInstance(event.primitive, event.name);
				const time = h('time', 'event-time', clock(event.timestamp));
				time.dateTime = event.timestamp;
				li.append(time, h('span', 'event-primitive', event.primitive), h('span', 'event-name', event.name),
						h('span', 'event-type', event.type), h('span', 'event-details', describeEvent(event)));
				li.hidden = !!eventFilter && li.dataset.instance !== eventFilter;
				fragment.prepend(li);
				eventItems.set(event.id, li);
			}
			eventList.prepend(fragment);
			pendingEvents = [];
			while (eventItems.size > MAX_EVENTS) {
				const [oldest, li] = eventItems.entries().next().value;
				li.remove();
				eventItems.delete(oldest);
			}
			updateEventCount();
		}
	}

	function insertOption(option) {
		// Kept in alphabetical order after "All instances".
		let before = null;
		for (const existing of eventFilterEl.options) {
			if (existing.value && existing.textContent > option.textContent) {
				before = existing;
				break;
			}
		}
		eventFilterEl.insertBefore(option, before);
	}

	function updateEventCount() {
		let shown = 0;
		for (const li of eventItems.values()) {
			if (!li.hidden) {
				shown++;
			}
		}
		setHidden(eventsEmpty, shown > 0);
		setText(eventsEmpty, eventItems.size ? 'No event of this instance among the recent ones.' : 'No events yet.');
		setText(eventCount, eventFilter ? `${shown} of ${eventItems.size} shown` : `${eventItems.size} shown`);
	}

	eventFilterEl.addEventListener('change', () => {
		eventFilter = eventFilterEl.value;
		for (const li of eventItems.values()) {
			setHidden(li, !!eventFilter && li.dataset.instance !== eventFilter);
		}
		updateEventCount();
	});

	// ---- search, compact mode, keyboard --------------------------------------------------

	const searchEl = document.getElementById('search');
	const compactEl = document.getElementById('compact');
	let compact = false;

	function applySearch() {
		filterText = searchEl.value.trim().toLowerCase();
		for (const tile of tiles.values()) {
			const hide = !matches(tile);
			setHidden(tile.el, hide);
			if (!hide && tile.visible && !compact) {
				drawChart(tile);
			}
		}
		updateCounts();
	}

	searchEl.addEventListener('input', applySearch);
	searchEl.addEventListener('keydown', (e) => {
		if (e.key === 'Escape' && searchEl.value) {
			searchEl.value = '';
			applySearch();
		}
	});

	function applyCompact() {
		compact = compactEl.checked;
		document.body.classList.toggle('compact', compact);
		try {
			localStorage.setItem('resilience-dashboard-compact', compact ? '1' : '0');
		}
		catch (e) {
			// storage refused (private mode): the choice is simply not remembered
		}
		if (!compact) {
			for (const tile of tiles.values()) {
				if (tile.visible && !tile.el.hidden) {
					drawChart(tile);
				}
			}
		}
	}

	compactEl.addEventListener('change', applyCompact);

	document.addEventListener('keydown', (e) => {
		const target = e.target;
		const typing = target instanceof HTMLInputElement || target instanceof HTMLSelectElement
				|| target instanceof HTMLTextAreaElement;
		if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
			e.preventDefault();
			searchEl.focus();
			searchEl.select();
		}
	});

	// Charts are drawn only for tiles on (or near) the screen.
	const viewObserver = typeof IntersectionObserver === 'function'
		? new IntersectionObserver((entries) => {
			for (const entry of entries) {
				const tile = tiles.get(entry.target.dataset.key);
				if (tile) {
					tile.visible = entry.isIntersecting;
					if (tile.visible && !compact && !tile.el.hidden) {
						drawChart(tile);
					}
				}
			}
		}, { rootMargin: '200px' })
		: { observe() {}, unobserve() {} };

	// The half-open countdowns tick between polls.
	setInterval(() => {
		if (document.hidden || countdowns.size === 0) {
			return;
		}
		const now = performance.now();
		for (const tile of countdowns) {
			updateCountdown(tile, now);
		}
	}, 200);

	// ---- actions ---------------------------------------------------------------------------

	function cookie(name) {
		for (const part of document.cookie.split(';')) {
			const [k, ...v] = part.trim().split('=');
			if (k === name) {
				return decodeURIComponent(v.join('='));
			}
		}
		return null;
	}

	function valueIn(body, key) {
		if (!body || typeof body !== 'object') {
			return undefined;
		}
		if (key in body) {
			return body[key];
		}
		return body.config && typeof body.config === 'object' ? body.config[key] : undefined;
	}

	let actionSeq = 0;

	function announce(outcome, text) {
		resultEl.dataset.outcome = outcome;
		resultEl.textContent = text;
	}

	// Posts one change through the primitive's own Actuator endpoint and says what changed, or
	// the status and message it got.
	async function act(tile, body, what, fields) {
		const path = tile.kind.endpoint && actions[tile.kind.endpoint];
		if (!path) {
			announce('error', `${what}: the ${tile.kind.endpoint} endpoint is not exposed, so it cannot be changed from here`);
			return false;
		}
		const url = rootUrl + path + '/' + encodeURIComponent(tile.name);
		const before = {};
		for (const f of fields) {
			before[f] = valueIn(tile.data, f);
		}
		const seq = ++actionSeq;
		announce('pending', `${what}: sending…`);
		resultEl.dataset.sequence = String(seq);
		const headers = {
			'Content-Type': 'application/json',
			Accept: 'application/json',
			// So that HTTP Basic answers 401 without the browser's login prompt.
			'X-Requested-With': 'XMLHttpRequest',
		};
		const xsrf = cookie('XSRF-TOKEN');
		if (xsrf) {
			headers['X-XSRF-TOKEN'] = xsrf;
		}
		let response;
		let text = '';
		try {
			response = await fetch(url, { method: 'POST', credentials: 'same-origin', headers, body: JSON.stringify(body) });
			text = await response.text();
		}
		catch (error) {
			announce('error', `${what} failed: cannot reach the application (${error.message})`);
			return false;
		}
		const message = bodyMessage(text);
		if (response.ok) {
			let json = null;
			try {
				json = JSON.parse(text);
			}
			catch (e) {
				// an answer without a body still means the change was made
			}
			const changes = fields.map((f) => {
				const now = valueIn(json, f);
				const was = before[f];
				return `${f} ${now === undefined ? '?' : now}` + (was !== undefined && was !== now ? ` (was ${was})` : '');
			});
			announce('ok', `${what}: done, ${changes.join(', ')} (${statusLine(response.status)})`);
			poll();
			return true;
		}
		else if (response.status === 401 || response.status === 403) {
			announce('error', `${what} refused: ${statusLine(response.status)}. The Actuator's access rules refused it`
					+ (response.status === 401 ? ' (not signed in)' : ' (this user may not do it)')
					+ (message ? `: ${message}` : '') + '. Nothing was changed.');
		}
		else {
			announce('error', `${what} failed: ${statusLine(response.status)}${message ? ': ' + message : ''}`);
		}
		return false;
	}

	const BREAKER_ACTIONS = {
		'force-open': [{ state: 'FORCED_OPEN' }, 'Force open'],
		close: [{ state: 'CLOSED' }, 'Close'],
		disable: [{ state: 'DISABLED' }, 'Disable'],
		reset: [{ reset: true }, 'Reset'],
	};

	function tileOf(el) {
		const article = el.closest('.tile');
		return article ? tiles.get(article.dataset.key) : undefined;
	}

	groupsEl.addEventListener('click', (e) => {
		const button = e.target.closest('button[data-action]');
		if (!button || button.type === 'submit') {
			return;
		}
		const tile = tileOf(button);
		const action = BREAKER_ACTIONS[button.dataset.action];
		if (tile && action) {
			act(tile, action[0], `${action[1]} circuit breaker ${tile.name}`, ['state']);
		}
	});

	groupsEl.addEventListener('submit', (e) => {
		e.preventDefault(); // never a navigation (the CSP's form-action 'none' would refuse it anyway)
		const form = e.target;
		const tile = tileOf(form);
		if (!tile) {
			return;
		}
		const values = {};
		for (const [field, input] of Object.entries(tile.inputs)) {
			values[field] = input.value.trim();
		}
		const empty = Object.entries(values).find(([, v]) => v === '');
		if (empty) {
			announce('error', `${tile.name}: give a value for ${empty[0]}`);
			tile.inputs[empty[0]].focus();
			return;
		}
		const fields = Object.keys(values);
		let body = values;
		let what;
		switch (form.dataset.action) {
			case 'rate-limit':
				what = `Set the limit of rate limiter ${tile.name} to ${values.limitForPeriod}`;
				break;
			case 'bulkhead-size':
				body = { type: 'semaphore', ...values };
				what = `Set bulkhead ${tile.name} to ${values.maxConcurrentCalls} concurrent calls`;
				break;
			case 'thread-pool-size':
				body = { type: 'thread-pool', ...values };
				what = `Set thread-pool bulkhead ${tile.name} to ${values.coreThreadPoolSize} core, ${values.maxThreadPoolSize} max threads`;
				break;
			case 'timeout':
				what = `Set timeout ${tile.name} to ${values.timeoutDuration}`;
				break;
			default:
				return;
		}
		act(tile, body, what, fields).then((done) => {
			if (done) {
				// Applied: the fields follow the snapshot again (a refused value stays to be fixed).
				for (const input of Object.values(tile.inputs)) {
					delete input.dataset.dirty;
				}
			}
		});
	});

	// ---- start -----------------------------------------------------------------------------

	buildGroups();
	try {
		compactEl.checked = localStorage.getItem('resilience-dashboard-compact') === '1';
	}
	catch (e) {
		// no storage: not compact
	}
	applyCompact();
	if (!snapshotUrl || snapshotUrl.startsWith('@')) {
		setStatus('error', 'This page must be served by the application (resilience.dashboard.enabled=true); '
				+ 'its snapshot address is missing');
	}
	else {
		poll();
	}
})();
