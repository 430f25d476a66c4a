// Upload progress for the import form (templates/exchange/import.html).
// Without JavaScript the form is an ordinary multipart POST; with htmx it is sent by
// hx-post, and this script shows how much of the file has been sent. No inline script:
// the CSP forbids it, so this file listens on the document for htmx's events.
(function () {
  "use strict";

  function uploadForm(element) {
    return element && element.closest ? element.closest("form.upload-form") : null;
  }

  function parts(form) {
    return {
      progress: form.querySelector("progress.upload-progress"),
      status: form.querySelector(".upload-status"),
    };
  }

  function say(form, text) {
    var status = parts(form).status;
    if (status) {
      status.textContent = text;
    }
  }

  // Refuse a file that is too large before sending it (the server checks again).
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = uploadForm(event.target);
    if (!form) {
      return;
    }
    var input = form.querySelector("input[type='file']");
    var limit = Number(form.dataset.maxBytes || 0);
    if (input && input.files && input.files[0] && limit && input.files[0].size > limit) {
      event.preventDefault();
      say(form, form.dataset.textTooLarge || "");
      input.setAttribute("aria-invalid", "true");
      return;
    }
    var progress = parts(form).progress;
    if (progress) {
      progress.value = 0;
      progress.hidden = false;
    }
    form.dataset.sent = "0";
    say(form, (form.dataset.textProgress || "").replace("{percent}", "0 %"));
  });

  // htmx relays the progress of the upload (and then of the answer) as htmx:xhr:progress.
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = uploadForm(event.target);
    if (!form || !event.detail || !event.detail.lengthComputable || !event.detail.total) {
      return;
    }
    if (form.dataset.sent === "1") {
      return; // the file is sent; these events are the answer coming back
    }
    var percent = Math.floor((event.detail.loaded / event.detail.total) * 100);
    var progress = parts(form).progress;
    if (progress) {
      progress.value = Math.max(Number(progress.value) || 0, percent);
    }
    if (percent >= 100) {
      form.dataset.sent = "1";
      say(form, form.dataset.textChecking || "");
    } else {
      say(form, (form.dataset.textProgress || "").replace("{percent}", percent + " %"));
    }
  });

  function failed(event) {
    var form = uploadForm(event.target);
    if (!form) {
      return;
    }
    var progress = parts(form).progress;
    if (progress) {
      progress.hidden = true;
    }
    say(form, form.dataset.textFailed || "");
  }

  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:responseError", failed);
})();
