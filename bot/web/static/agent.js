/* Agent console: search as you type (server-side), keyboard first, copy, 👎 feedback. */
(function () {
  "use strict";
  var box = document.getElementById("ag-q");
  var list = document.getElementById("ag-results");
  var status = document.getElementById("ag-status");
  var csrf = box ? box.getAttribute("data-csrf") : "";
  var timer = null, seq = 0, selected = -1, lastQuery = "";

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    return n;
  }

  function copy(text, button) {
    function done() { var old = button.textContent; button.textContent = "已复制"; setTimeout(function () { button.textContent = old; }, 1500); }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { fallback(text); done(); });
    } else { fallback(text); done(); }
  }
  function fallback(text) {
    var t = el("textarea"); t.value = text; document.body.appendChild(t); t.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    document.body.removeChild(t);
  }

  function sendFeedback(hit, query, button) {
    var comment = window.prompt("哪里没帮到来电人？（可不填）", "") || "";
    fetch("/agent/api/feedback", {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify({answer: hit.answer, question: query, faq_id: hit.id, comment: comment})
    }).then(function (r) { button.textContent = r.ok ? "已记录：没帮到来电人" : "没有记录，请重试"; button.disabled = r.ok; });
  }

  function select(i) {
    var items = list.querySelectorAll(".ag-hit");
    if (!items.length) return;
    selected = Math.max(0, Math.min(items.length - 1, i));
    items.forEach(function (n, k) { n.setAttribute("aria-selected", k === selected ? "true" : "false"); });
    items[selected].scrollIntoView({block: "nearest"});
  }

  function render(data) {
    list.textContent = "";
    selected = -1;
    var n = data.faq.length + data.clauses.length;
    status.textContent = data.query ? (n ? "找到 " + data.faq.length + " 条问答、" + data.clauses.length + " 条通知条款" : "没有找到，请换个关键词，或请来电人描述具体情况") : "";
    data.faq.forEach(function (hit) {
      var li = el("li", "ag-hit"); li.setAttribute("aria-selected", "false"); li.tabIndex = -1;
      li.appendChild(el("h3", null, hit.question));
      li.appendChild(el("div", "ag-answer", hit.answer));
      var actions = el("div", "ag-actions");
      var copyBtn = el("button", "ag-copy-answer", "复制答案"); copyBtn.type = "button";
      copyBtn.addEventListener("click", function () { copy(hit.answer, copyBtn); });
      var more = el("button", null, "条款原文"); more.type = "button"; more.setAttribute("aria-expanded", "false");
      var clauses = el("div"); clauses.hidden = true;
      hit.clauses.forEach(function (c) { clauses.appendChild(el("div", "ag-clause", c.id + " " + c.title + "\n" + c.text)); });
      more.addEventListener("click", function () { clauses.hidden = !clauses.hidden; more.setAttribute("aria-expanded", String(!clauses.hidden)); });
      var down = el("button", "ag-down", "没帮到来电人"); down.type = "button";
      down.addEventListener("click", function () { sendFeedback(hit, data.query, down); });
      actions.appendChild(copyBtn); actions.appendChild(more); actions.appendChild(down);
      li.appendChild(actions); li.appendChild(clauses);
      li._copy = function () { copy(hit.answer, copyBtn); };
      list.appendChild(li);
    });
    data.clauses.forEach(function (c) {
      var li = el("li", "ag-hit ag-hit--clause"); li.setAttribute("aria-selected", "false");
      li.appendChild(el("h3", null, "通知条款 " + c.id + " " + c.title));
      li.appendChild(el("div", "ag-clause", c.text));
      var actions = el("div", "ag-actions");
      var copyBtn = el("button", null, "复制条款"); copyBtn.type = "button";
      copyBtn.addEventListener("click", function () { copy(c.id + " " + c.text, copyBtn); });
      actions.appendChild(copyBtn); li.appendChild(actions);
      li._copy = function () { copy(c.id + " " + c.text, copyBtn); };
      list.appendChild(li);
    });
  }

  function run() {
    var q = box.value.trim();
    if (q === lastQuery) return;
    lastQuery = q;
    var mine = ++seq;
    if (!q) { render({query: "", faq: [], clauses: []}); return; }
    fetch("/agent/api/search?q=" + encodeURIComponent(q), {credentials: "same-origin"})
      .then(function (r) { if (r.status === 401) { location.href = "/login?next=/agent"; } return r.json(); })
      .then(function (data) { if (mine === seq && data && data.faq) render(data); })
      .catch(function () { if (mine === seq) status.textContent = "查询失败，请检查网络后重试"; });
  }

  if (box) {
    box.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 120); });
    box.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); select(selected + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); select(selected - 1); }
      else if (e.key === "Enter") { e.preventDefault(); clearTimeout(timer); run(); }
      else if ((e.ctrlKey || e.metaKey) && e.key === "c" && selected >= 0 && box.selectionStart === box.selectionEnd) {
        var items = list.querySelectorAll(".ag-hit"); if (items[selected] && items[selected]._copy) { e.preventDefault(); items[selected]._copy(); }
      }
    });
  }
  document.querySelectorAll(".ag-copy").forEach(function (b) {
    b.addEventListener("click", function () { var t = b.parentNode.querySelector(".ag-copytext"); copy(t.value, b); });
  });
})();
