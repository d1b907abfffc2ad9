/*
 * 职称咨询助手 — the chat widget. One plain script, no build step, no outside files.
 *
 *   <script src="https://HOST/widget.js" defer
 *           data-server="https://HOST" data-title="职称咨询助手"
 *           data-color="#1d4f91" data-color-text="#ffffff"></script>
 *
 * data-server: where the chat (POST /webhooks/rest/webhook), the clauses (/api/clause/ID,
 * /clause/ID), the feedback (/api/feedback) and widget.css are; default: where this script came
 * from. The conversation (a random sender id and the messages) is kept in localStorage, so it
 * survives a reload and a browser restart; "新对话" starts over. Verification digits are never
 * kept: their bubble and the history show "••••".
 */
(function () {
  "use strict";

  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  if (!script || window.__zhichengWidget) return;
  window.__zhichengWidget = true;

  var data = script.dataset || {};
  var SERVER = (data.server || new URL(script.src, location.href).origin).replace(/\/+$/, "");
  var TITLE = data.title || "职称咨询助手";
  var HOTLINE = "12333";
  var STORE_KEY = "zhicheng-widget:v1:" + SERVER;
  var MAX_ITEMS = 200;
  var MASK = "••••";
  var OFFLINE = "暂时连不上服务器，请稍后再试，或拨打" + HOTLINE + "。";
  var KEPT = "您的问题还在输入框里，可以稍后重新发送。";
  var CITATION = /^(依据：)(\S+?〔\d{4}〕\d+号)[ \u3000]+(.+)$/;
  var URL_RE = /(https?:\/\/[A-Za-z0-9._~:/?#@!$&'*+,;=%-]+)/g;
  var FACTOR = /^[0-9Xx]{4}$/;
  // the message limit (ZHICHENG_MAX_MESSAGE_CHARS), written in when the web app serves this script;
  // 0 (served some other way): no limit here, and the server's reply says when a message is too long
  var MAX_CHARS = Number("__ZC_MAX_MESSAGE_CHARS__") || 0;

  // -- state, kept in localStorage (in memory when the browser refuses) ------------------------
  var memory = {};
  function load() {
    try {
      var raw = window.localStorage.getItem(STORE_KEY);
      if (raw) return JSON.parse(raw);
    } catch (e) { /* private mode or a broken value: start over */ }
    return memory[STORE_KEY] || null;
  }
  function save() {
    state.items = state.items.slice(-MAX_ITEMS);
    var raw = JSON.stringify(state);
    try { window.localStorage.setItem(STORE_KEY, raw); } catch (e) { memory[STORE_KEY] = JSON.parse(raw); }
  }
  function newSender() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "w-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  var state = load();
  if (!state || typeof state.sender !== "string" || !/^[A-Za-z0-9_.:@-]{1,128}$/.test(state.sender) ||
      !Array.isArray(state.items)) {
    state = { sender: newSender(), items: [], open: false, mode: "text" };
  }

  // -- DOM ------------------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "class") node.className = attrs[k];
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  var host = el("div", { id: "zhicheng-widget" });
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  if (data.color) host.style.setProperty("--zc-primary", data.color);
  if (data.colorText) host.style.setProperty("--zc-on-primary", data.colorText);
  host.style.visibility = "hidden";  // until widget.css is in
  var css = el("link", { rel: "stylesheet", href: SERVER + "/static/widget.css" });
  var shown = false;
  function reveal() { if (!shown) { shown = true; host.style.visibility = ""; } }
  css.addEventListener("load", reveal);
  css.addEventListener("error", reveal);
  setTimeout(reveal, 3000);

  var launcher = el("button", { type: "button", class: "zc-launcher", "aria-expanded": "false",
                                "aria-controls": "zc-panel", onclick: function () { setOpen(true); } },
                    [el("span", { class: "zc-launcher__icon", "aria-hidden": "true", text: "问" }), "职称咨询"]);

  var titleEl = el("h2", { id: "zc-title", class: "zc-title", text: TITLE });
  var handoverBtn = el("button", { type: "button", class: "zc-hbtn", title: "转接人工服务（" + HOTLINE + "）",
                                   onclick: function () { send("/request_human", "转人工"); } }, ["转人工"]);
  var newBtn = el("button", { type: "button", class: "zc-hbtn", title: "清空记录，开始新的对话",
                              onclick: restart }, ["新对话"]);
  var closeBtn = el("button", { type: "button", class: "zc-hbtn zc-close", "aria-label": "关闭对话窗口",
                                title: "关闭", onclick: function () { setOpen(false); } }, ["×"]);
  var log = el("div", { class: "zc-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
                        "aria-label": "对话记录" });
  var typing = el("div", { class: "zc-typing", role: "status", hidden: "" },
                  [el("span", { class: "zc-dots", "aria-hidden": "true" }, [el("i"), el("i"), el("i")]),
                   el("span", { text: "助手正在回复…" })]);
  var scroller = el("div", { class: "zc-body" }, [log, typing]);
  var alertBox = el("div", { class: "zc-alert", role: "alert", hidden: "" });
  var input = el("input", { id: "zc-input", class: "zc-input", type: "text",
                            maxlength: MAX_CHARS > 0 ? String(MAX_CHARS) : null,
                            autocomplete: "off", enterkeyhint: "send" });
  var inputLabel = el("label", { for: "zc-input", class: "zc-sr" });
  var sendBtn = el("button", { type: "submit", class: "zc-send" }, ["发送"]);
  var factorHint = el("div", { class: "zc-factor", hidden: "" }, [
    el("span", { id: "zc-factor-note", text: "这4位只用于核对身份，不会保存在本机。" }),
    el("button", { type: "button", class: "zc-link", onclick: function () { send("算了", "算了"); } },
       ["不查了"])]);
  var form = el("form", { class: "zc-form", novalidate: "", onsubmit: onSubmit },
                [inputLabel, input, sendBtn]);
  var note = el("p", { class: "zc-note" }, ["自动回复，依据京人社事业字〔2024〕96号；人工咨询请拨打" + HOTLINE + "。"]);
  var panel = el("section", { id: "zc-panel", class: "zc-panel", role: "dialog", "aria-modal": "false",
                              "aria-labelledby": "zc-title", hidden: "" }, [
    el("header", { class: "zc-header" }, [titleEl, el("div", { class: "zc-actions" }, [handoverBtn, newBtn, closeBtn])]),
    scroller, alertBox, factorHint, form, note]);

  var dlgTitle = el("h3", { id: "zc-dlg-title", class: "zc-dlg-title", text: "条款全文" });
  var dlgBody = el("div", { class: "zc-dlg-body" });
  var dlgLink = el("a", { class: "zc-dlg-link", target: "_blank", rel: "noopener", href: SERVER + "/" },
                   ["在新页面打开条款全文"]);
  var dialog = el("dialog", { class: "zc-dialog", "aria-labelledby": "zc-dlg-title" }, [
    el("div", { class: "zc-dlg-head" }, [dlgTitle,
      el("button", { type: "button", class: "zc-dlg-close", "aria-label": "关闭条款全文", title: "关闭",
                     onclick: function () { dialog.close(); } }, ["×"])]),
    dlgBody, el("p", { class: "zc-dlg-foot" }, [dlgLink])]);
  var dialogOpener = null;
  dialog.addEventListener("close", function () { if (dialogOpener) dialogOpener.focus(); });

  root.appendChild(css);
  root.appendChild(launcher);
  root.appendChild(panel);
  root.appendChild(dialog);
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !dialog.open) { e.preventDefault(); setOpen(false); }
  });

  // -- rendering ------------------------------------------------------------------------------
  function lineNodes(line) {
    var m = CITATION.exec(line);
    if (m) {
      var nodes = [m[1] + m[2] + " "];
      m[3].split("、").forEach(function (id, i) {
        id = id.trim();
        if (!id) return;
        if (i) nodes.push("、");
        nodes.push(el("a", { class: "zc-cite", href: SERVER + "/clause/" + encodeURIComponent(id),
                             "data-clause": id, "aria-label": "查看条款 " + id + " 全文",
                             onclick: function (e) { e.preventDefault(); openClause(id, e.currentTarget); } }, [id]));
      });
      return [el("span", { class: "zc-citation" }, nodes)];
    }
    return line.split(URL_RE).map(function (part, i) {
      return i % 2 ? el("a", { href: part, target: "_blank", rel: "noopener noreferrer" }, [part]) : part;
    });
  }

  function textBlock(text) {
    var p = el("div", { class: "zc-text" });
    String(text).split("\n").forEach(function (line, i) {
      if (i) p.appendChild(el("br"));
      lineNodes(line).forEach(function (n) { p.appendChild(typeof n === "string" ? document.createTextNode(n) : n); });
    });
    return p;
  }

  function renderUser(item) {
    return el("div", { class: "zc-msg zc-msg--user" }, [
      el("span", { class: "zc-sr", text: "我说：" }),
      el("div", { class: "zc-bubble", text: item.text })]);
  }

  function renderBot(item) {
    var wrap = el("div", { class: "zc-msg zc-msg--bot" }, [el("span", { class: "zc-sr", text: "助手说：" })]);
    item.messages.forEach(function (m) {
      var bubble = el("div", { class: "zc-bubble" });
      if (m.text) bubble.appendChild(textBlock(m.text));
      if (m.buttons && m.buttons.length) {
        var group = el("div", { class: "zc-quick", role: "group", "aria-label": "可选回复" });
        m.buttons.forEach(function (b) {
          group.appendChild(el("button", { type: "button", class: "zc-qr",
                                           onclick: function () { send(b.payload || b.title, b.title); } }, [b.title]));
        });
        bubble.appendChild(group);
      }
      wrap.appendChild(bubble);
    });
    if (!item.silent && isAnswer(item)) wrap.appendChild(renderFeedback(item));
    return wrap;
  }

  // An answer cites the notice (every answer does); a question back ("请输入申报编号") does not
  // get 👍/👎.
  function isAnswer(item) {
    return item.messages.some(function (m) {
      return (m.text || "").split("\n").some(function (line) { return CITATION.test(line); });
    });
  }

  function renderFeedback(item) {
    var box = el("div", { class: "zc-fb" });
    function thanks(text) {
      box.textContent = "";
      box.appendChild(el("span", { class: "zc-fb-done", text: text || "感谢反馈" }));
    }
    if (item.rated) { thanks(); return box; }
    var up = el("button", { type: "button", class: "zc-fb-btn", onclick: function () { post("up", null); } },
                [thumb(false), "有帮助"]);
    var down = el("button", { type: "button", class: "zc-fb-btn", onclick: openComment }, [thumb(true), "没帮助"]);
    var status = el("span", { class: "zc-fb-status", role: "status" });
    box.appendChild(el("span", { class: "zc-fb-q", text: "这条回答有帮助吗？" }));
    box.appendChild(up);
    box.appendChild(down);
    box.appendChild(status);

    function openComment() {
      if (box.querySelector("form")) return;
      var id = "zc-c-" + item.id;
      var area = el("textarea", { id: id, class: "zc-fb-text", maxlength: "500", rows: "2",
                                  placeholder: "例如：答非所问、日期不对（可不填）" });
      var f = el("form", { class: "zc-fb-form", onsubmit: function (e) { e.preventDefault(); post("down", area.value); } }, [
        el("label", { for: id, text: "哪里不对？（可选）" }), area,
        el("div", { class: "zc-fb-row" }, [
          el("button", { type: "submit", class: "zc-fb-send" }, ["提交反馈"]),
          el("button", { type: "button", class: "zc-link", onclick: function () { f.remove(); down.focus(); } }, ["取消"])])]);
      box.appendChild(f);
      area.focus();
    }

    function post(rating, comment) {
      status.textContent = "正在发送…";
      fetch(SERVER + "/api/feedback", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: state.sender, rating: rating, answer: answerText(item),
                               question: item.question || null, faq_id: item.faq || null,
                               comment: comment ? comment.trim() || null : null })
      }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        item.rated = rating;
        save();
        thanks();
      }).catch(function () {
        status.textContent = "反馈没有发出，请稍后再试。";
      });
    }
    return box;
  }

  // 👍/👎 drawn here, not as emoji: many office and kiosk machines have no emoji font.
  // (Material Icons "thumb_up" path, Apache License 2.0.)
  function thumb(down) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", down ? "zc-thumb zc-thumb--down" : "zc-thumb");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06" +
                           "L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22" +
                           "l3.02-7.05c.09-.23.14-.47.14-.73v-2z");
    svg.appendChild(path);
    return svg;
  }

  function answerText(item) {
    return item.messages.map(function (m) { return m.text || ""; }).filter(Boolean).join("\n").slice(0, 4000);
  }

  function render() {
    log.textContent = "";
    state.items.forEach(function (item) { log.appendChild(item.role === "user" ? renderUser(item) : renderBot(item)); });
    setMode(state.mode);
    scrollDown();
  }

  function append(item) {
    state.items.push(item);
    var node = item.role === "user" ? renderUser(item) : renderBot(item);
    log.appendChild(node);
    if (item.role === "bot" && node.offsetHeight > scroller.clientHeight - 24) {
      // a long answer: show its start, under the question it answers when both fit
      var top = node.offsetTop;
      var asked = node.previousElementSibling;
      if (asked && node.offsetTop - asked.offsetTop < scroller.clientHeight / 3) top = asked.offsetTop;
      scroller.scrollTop = top - scroller.offsetTop - 12;
    } else {
      scrollDown();
    }
    return node;
  }

  function scrollDown() { scroller.scrollTop = scroller.scrollHeight; }

  function setMode(mode) {
    state.mode = mode === "factor" ? "factor" : "text";
    var factor = state.mode === "factor";
    input.type = factor ? "password" : "text";
    input.setAttribute("inputmode", factor ? "numeric" : "text");
    if (factor) input.maxLength = 4;
    else if (MAX_CHARS > 0) input.maxLength = MAX_CHARS;
    else input.removeAttribute("maxlength");
    if (factor) input.setAttribute("pattern", "[0-9Xx]{4}"); else input.removeAttribute("pattern");
    input.setAttribute("placeholder", factor ? "请输入4位数字" : "请输入您的问题，按回车发送");
    inputLabel.textContent = factor ? "4位验证数字（输入内容已隐藏）" : "输入您的问题";
    if (factor) input.setAttribute("aria-describedby", "zc-factor-note"); else input.removeAttribute("aria-describedby");
    factorHint.hidden = !factor;
  }

  function showAlert(text) { alertBox.textContent = text; alertBox.hidden = false; }
  function hideAlert() { alertBox.hidden = true; alertBox.textContent = ""; }

  // -- talking to the server ------------------------------------------------------------------
  var busy = false;
  var itemSeq = Date.now();

  function onSubmit(e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text || busy) return;
    if (state.mode === "factor" && !FACTOR.test(text)) {
      showAlert("请输入4位数字（身份证号最后一位可以是X）；不想查了请点“不查了”。");
      input.focus();
      return;
    }
    send(text, text, { typed: true });
  }

  function send(message, display, opts) {
    opts = opts || {};
    if (busy) return Promise.resolve(false);
    busy = true;
    sendBtn.disabled = true;
    hideAlert();
    var factor = state.mode === "factor" && opts.typed;
    var shownText = factor ? MASK : display;
    var userNode = null;
    if (!opts.silent) {
      userNode = renderUser({ text: shownText });
      log.appendChild(userNode);
      if (opts.typed) input.value = "";
    }
    typing.hidden = false;
    scrollDown();

    function done() {
      busy = false;
      sendBtn.disabled = false;
      typing.hidden = true;
    }
    function failed(text) {
      if (userNode) userNode.remove();
      if (opts.typed && !input.value) input.value = message;  // nothing is lost
      showAlert(opts.typed ? text + KEPT : text);
      done();
      if (opts.typed) input.focus();
      return false;
    }

    return fetch(SERVER + "/webhooks/rest/webhook", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: state.sender, message: message })
    }).then(function (r) {
      if (r.status >= 500) return failed(OFFLINE);
      return r.json().catch(function () { return null; }).then(function (body) {
        if (r.status === 429) return failed("请求过于频繁，请稍等片刻再发送。");
        if (r.status === 413) return failed("消息太长了，请缩短后再发送。");
        if (!r.ok || !Array.isArray(body)) return failed((body && body.error) || OFFLINE);
        var messages = [];
        var next = "text";
        var faqId = null;
        body.forEach(function (m) {
          if (m && m.custom && m.custom.input === "factor") next = "factor";
          if (m && m.custom && typeof m.custom.faq_id === "string") faqId = m.custom.faq_id;
          if (m && (m.text || (m.buttons && m.buttons.length))) {
            messages.push({ text: typeof m.text === "string" ? m.text : "",
                            buttons: (m.buttons || []).filter(function (b) { return b && b.title; })
                              .map(function (b) { return { title: String(b.title), payload: String(b.payload || b.title) }; }) });
          }
        });
        if (userNode) { state.items.push({ role: "user", text: shownText }); }
        if (messages.length) {
          append({ role: "bot", id: ++itemSeq, messages: messages, silent: !!opts.silent, faq: faqId,
                   question: opts.silent ? null : shownText, rated: null });
        }
        setMode(next);
        save();
        done();
        if (opts.typed || state.mode === "factor") input.focus();
        return true;
      });
    }).catch(function () { return failed(OFFLINE); });
  }

  function restart() {
    var old = state.sender;
    fetch(SERVER + "/webhooks/rest/webhook", {  // the old conversation ends on the server too
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: old, message: "/restart" })
    }).catch(function () {});
    state = { sender: newSender(), items: [], open: true, mode: "text" };
    save();
    hideAlert();
    render();
    input.value = "";
    input.focus();
    send("/greet", "", { silent: true });
  }

  // -- the clause viewer ----------------------------------------------------------------------
  function openClause(id, opener) {
    dialogOpener = opener || null;
    dlgTitle.textContent = "条款 " + id;
    dlgBody.textContent = "正在加载…";
    dlgLink.href = SERVER + "/clause/" + encodeURIComponent(id);
    if (!dialog.open) dialog.showModal();
    fetch(SERVER + "/api/clause/" + encodeURIComponent(id)).then(function (r) {
      return r.json().then(function (body) { if (!r.ok) throw new Error(body.error || ""); return body; });
    }).then(function (c) {
      dlgTitle.textContent = c.notice.number + " " + c.id + "　" + c.title;
      dlgBody.textContent = "";
      c.text.split("\n").forEach(function (p) { if (p.trim()) dlgBody.appendChild(el("p", { text: p })); });
    }).catch(function () {
      dlgBody.textContent = "没能加载这条条款，请稍后再试，或点下面的链接打开。";
    });
  }

  // -- open / close ---------------------------------------------------------------------------
  function setOpen(open) {
    state.open = !!open;
    panel.hidden = !open;
    launcher.hidden = !!open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    save();
    if (open) {
      scrollDown();
      input.focus();
      if (!state.items.length && !busy) send("/greet", "", { silent: true });
    } else {
      launcher.focus();
    }
  }

  function mount() {
    document.body.appendChild(host);
    render();
    if (state.open) {
      panel.hidden = false;
      launcher.hidden = true;
      launcher.setAttribute("aria-expanded", "true");
      scrollDown();
      if (!state.items.length) send("/greet", "", { silent: true });
    }
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
