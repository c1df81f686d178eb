"use strict";
// Renders the records of #linc-data: problem tables with filters, problem pages, changed answers.
// Every string from the data goes through text nodes (el / textContent), never through innerHTML.
(function () {
  var DATA = JSON.parse(document.getElementById("linc-data").textContent);
  var RUNS = DATA.runs;
  var built = {};
  var VALID = ["True", "False", "Uncertain"];

  function el(tag, attrs) {
    var node = document.createElement(tag);
    var key;
    for (key in attrs || {}) {
      if (key === "className") { node.className = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) { continue; }
      node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function votes(p) {
    return (p.verdict && p.verdict.votes) || [];
  }

  function tally(p) {
    var counts = (p.verdict && p.verdict.counts) || {};
    return Object.keys(counts).sort().map(function (k) { return k + " " + counts[k]; }).join(", ");
  }

  function mark(p) {
    if (p.correct === true) { return el("span", {className: "right"}, "✓"); }
    if (p.correct === false) { return el("span", {className: "wrong"}, "✗"); }
    return "";
  }

  function searchText(p) {
    return [p.id].concat(p.premises || [], [p.conclusion || ""]).join("\n").toLowerCase();
  }

  // ------------------------------------------------------------------ a run's problem table

  function buildTable(r) {
    if (built[r]) { return; }
    built[r] = true;
    var body = document.querySelector("#problems-" + r + " tbody");
    var frag = document.createDocumentFragment();
    RUNS[r].problems.forEach(function (p, index) {
      var row = el("tr", {"data-index": index},
        el("td", null, el("a", {href: "#run/" + r + "/p/" + encodeURIComponent(p.id)}, p.id)),
        el("td", null, p.gold === null ? "—" : p.gold),
        el("td", null, p.label),
        el("td", null, mark(p)),
        el("td", null, tally(p)),
        el("td", null, String(p.repaired)),
        el("td", null, p.cause),
        el("td", null, p.conclusion || ""));
      row.addEventListener("click", function (event) {
        if (event.target.tagName !== "A") { location.hash = "#run/" + r + "/p/" + encodeURIComponent(p.id); }
      });
      p._row = row;
      p._text = searchText(p);
      frag.appendChild(row);
    });
    body.appendChild(frag);
    var bar = document.querySelector('.filters[data-run="' + r + '"]');
    bar.querySelectorAll("[data-filter]").forEach(function (input) {
      input.addEventListener(input.tagName === "INPUT" ? "input" : "change", function () { applyFilters(r); });
    });
    applyFilters(r);
  }

  function applyFilters(r) {
    var bar = document.querySelector('.filters[data-run="' + r + '"]');
    var want = {};
    bar.querySelectorAll("[data-filter]").forEach(function (input) { want[input.getAttribute("data-filter")] = input.value; });
    var words = want.text.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    RUNS[r].problems.forEach(function (p) {
      var ok = (!want.gold || p.gold === want.gold) &&
        (!want.label || p.label === want.label) &&
        (!want.result || (want.result === "right" ? p.correct === true : p.correct === false)) &&
        (!want.cause || p.cause === want.cause) &&
        (!want.repairs || (want.repairs === "yes" ? p.repaired > 0 : p.repaired === 0)) &&
        words.every(function (w) { return p._text.indexOf(w) >= 0; });
      p._row.hidden = !ok;
      shown += ok ? 1 : 0;
    });
    document.getElementById("count-" + r).textContent = shown + " of " + RUNS[r].problems.length + " shown";
  }

  // ------------------------------------------------------------------ a problem's page

  function find(r, id) {
    var list = RUNS[r].problems;
    for (var i = 0; i < list.length; i++) { if (String(list[i].id) === id) { return list[i]; } }
    return null;
  }

  function formulaCell(text) {
    return el("td", null, text === undefined || text === null ? "" : text);
  }

  function voteGrid(p) {
    var vs = votes(p);
    var head = el("tr", null, el("th", null, "sentence"));
    vs.forEach(function (v, i) { head.appendChild(el("th", null, "vote " + (i + 1))); });
    var table = el("table", {className: "votes"}, head);
    var premises = p.premises || [];
    var rows = premises.length;
    vs.forEach(function (v) { rows = Math.max(rows, (v.premises || []).length); });
    for (var i = 0; i < rows; i++) {
      var row = el("tr", {className: "premise"}, el("td", {className: "sentence"}, i < premises.length ? premises[i] : "(no sentence)"));
      vs.forEach(function (v) { row.appendChild(formulaCell((v.premises || [])[i])); });
      table.appendChild(row);
    }
    var last = el("tr", {className: "conclusion"}, el("td", {className: "sentence"}, el("b", null, "Conclusion: "), p.conclusion || ""));
    vs.forEach(function (v) { last.appendChild(formulaCell(v.conclusion)); });
    table.appendChild(last);
    var facts = [
      ["label", function (v) { return v.label; }],
      ["tier", function (v) { return v.tier || "clean"; }],
      ["repairs", function (v) {
        var all = (v.repairs || []).slice();
        if (v.model_repairs) { all.push("model repair rounds: " + v.model_repairs); }
        return all.join("\n");
      }],
      ["error", function (v) { return v.error || v.reason || ""; }],
      ["prover", function (v) { return (v.prover || "") + (v.seconds ? " (" + v.seconds.toFixed(3) + " s)" : ""); }]
    ];
    facts.forEach(function (fact) {
      var row = el("tr", {className: "fact-" + fact[0]}, el("th", null, fact[0]));
      vs.forEach(function (v) {
        var cell = row.appendChild(formulaCell(fact[1](v)));
        if (fact[0] === "label" && p.gold !== null && VALID.indexOf(v.label) >= 0) { cell.className = v.label === p.gold ? "right" : "wrong"; }
      });
      table.appendChild(row);
    });
    var raw = el("tr", {className: "fact-raw"}, el("th", null, "completion"));
    vs.forEach(function (v) {
      raw.appendChild(el("td", null, v.raw ? el("details", null, el("summary", null, "raw (" + v.raw.length + " chars)"), el("pre", {className: "raw"}, v.raw)) : ""));
    });
    table.appendChild(raw);
    return el("div", {className: "scroll"}, table);
  }

  function problemPage(r, p, title) {
    var v = p.verdict || {};
    var box = el("div", {className: "problem", "data-run": r, "data-id": p.id},
      el("h2", null, title),
      el("p", null, "gold ", el("span", {className: "tag"}, p.gold === null ? "—" : p.gold),
        " · answer ", el("span", {className: "tag answer"}, p.label), " ", mark(p),
        " · votes: ", tally(p) || "none",
        " · policy ", v.policy || "?",
        p.cause ? " · cause: " + p.cause : "",
        p.depth !== null && p.depth !== undefined ? " · depth " + p.depth : ""));
    if (v.reason) { box.appendChild(el("p", {className: "wrong"}, "worker: " + v.reason)); }
    box.appendChild(voteGrid(p));
    if (v.proof) {
      box.appendChild(el("h3", null, "Proof" + (v.shown !== null && v.shown !== undefined ? " (vote " + (v.shown + 1) + ", " + (v.prover || "?") + ")" : "")));
      box.appendChild(el("pre", {className: "proof"}, v.proof));
    }
    if (v.countermodel) {
      box.appendChild(el("h3", null, "Countermodel" + (v.shown !== null && v.shown !== undefined ? " (vote " + (v.shown + 1) + ")" : "")));
      box.appendChild(el("pre", {className: "countermodel"}, JSON.stringify(v.countermodel, null, 2)));
    }
    return box;
  }

  function showProblem(target, runs, id) {
    var page = document.getElementById("problem");
    page.replaceChildren();
    var back = target === "changes" ? "#changes" : "#run/" + runs[0];
    page.appendChild(el("p", null, el("a", {href: back}, "← back to the table")));
    var found = false;
    runs.forEach(function (r) {
      var p = find(r, id);
      var name = RUNS.length > 1 ? "Run " + "AB"[r] + " (" + RUNS[r].name + "): " : "";
      if (p) { found = true; page.appendChild(problemPage(r, p, name + "problem " + p.id)); }
      else if (RUNS.length > 1) { page.appendChild(el("p", null, name + "no record of " + id)); }
    });
    if (!found) { page.appendChild(el("p", {className: "wrong"}, "no problem with id " + id)); }
    return page;
  }

  // ------------------------------------------------------------------ two runs compared

  function changeKind(a, b) {
    if (a.correct === false && b.correct === true) { return "fixed"; }
    if (a.correct === true && b.correct === false) { return "broken"; }
    if (a.correct === false && b.correct === false) { return "changed"; }
    return "other";
  }

  function buildChanges() {
    if (built.changes) { return; }
    built.changes = true;
    var before = {};
    RUNS[0].problems.forEach(function (p) { before[String(p.id)] = p; });
    var body = document.querySelector("#changes-table tbody");
    var rows = [];
    var counts = {fixed: 0, broken: 0, changed: 0, other: 0};
    RUNS[1].problems.forEach(function (b) {
      var a = before[String(b.id)];
      if (!a || a.label === b.label) { return; }
      var kind = changeKind(a, b);
      counts[kind] += 1;
      var row = el("tr", {"data-kind": kind},
        el("td", null, el("a", {href: "#changes/p/" + encodeURIComponent(b.id)}, b.id)),
        el("td", null, b.gold === null ? "—" : b.gold),
        el("td", null, a.label, " ", mark(a)),
        el("td", null, b.label, " ", mark(b)),
        el("td", {className: kind === "fixed" ? "right" : kind === "broken" ? "wrong" : ""}, kind),
        el("td", null, tally(a)),
        el("td", null, tally(b)),
        el("td", null, b.conclusion || ""));
      row.addEventListener("click", function (event) {
        if (event.target.tagName !== "A") { location.hash = "#changes/p/" + encodeURIComponent(b.id); }
      });
      rows.push(row);
      body.appendChild(row);
    });
    var common = RUNS[1].problems.filter(function (b) { return before[String(b.id)]; }).length;
    document.getElementById("change-counts").textContent = rows.length + " of " + common + " shared problems changed answer: " +
      counts.fixed + " fixed, " + counts.broken + " broken, " + counts.changed + " changed while wrong, " + counts.other + " without a gold label";
    document.getElementById("change-kind").addEventListener("change", function (event) {
      rows.forEach(function (row) { row.hidden = !!event.target.value && row.getAttribute("data-kind") !== event.target.value; });
    });
  }

  // ------------------------------------------------------------------ routing

  function route() {
    var hash = decodeURIComponent(location.hash.replace(/^#/, ""));
    var parts = hash.split("/");
    var shown;
    document.querySelectorAll(".view").forEach(function (v) { v.hidden = true; });
    if (parts[0] === "run" && parts[2] === "p") {
      shown = showProblem("run", [Number(parts[1]) || 0], parts.slice(3).join("/"));
    } else if (parts[0] === "changes" && RUNS.length > 1 && parts[1] === "p") {
      shown = showProblem("changes", [0, 1], parts.slice(2).join("/"));
    } else if ((parts[0] === "changes" || hash === "") && RUNS.length > 1) {
      buildChanges();
      shown = document.getElementById("changes");
    } else {
      var r = parts[0] === "run" && RUNS[Number(parts[1])] ? Number(parts[1]) : 0;
      buildTable(r);
      shown = document.getElementById("run-" + r);
    }
    shown.hidden = false;
    window.scrollTo(0, 0);
  }

  window.addEventListener("hashchange", route);
  route();
  window.__lincReady = performance.now();
})();
