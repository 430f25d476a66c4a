// Upload progress for the import form (templates/exchange/import.html).
// An external file because the CSP forbids inline script; without it the form posts normally.
(function () {
  "use strict";

  function uploadForm(element) {
    return element && element.matches && element.matches("form.upload-form") ? element : null;
  }

  function parts(form) {
    return {
      bar: form.querySelector("progress.upload-progress"),
      status: form.querySelector(".upload-status"),
    };
  }

  function say(form, text) {
    var status = parts(form).status;
    if (status && status.textContent !== text) {
      status.textContent = text;
    }
  }

  function stop(form, text) {
    var bar = parts(form).bar;
    if (bar) {
      bar.hidden = true;
    }
    say(form, text);
  }

  // Refuse a file that is too large before sending it, so nobody waits for a refusal.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = uploadForm(event.detail.elt);
    if (!form) {
      return;
    }
    var input = form.querySelector("input[type='file']");
    var limit = Number(form.dataset.maxBytes || 0);
    if (input && input.files && input.files[0] && limit && input.files[0].size > limit) {
      event.preventDefault();
      stop(form, form.dataset.tooLarge || "");
      input.focus();
      return;
    }
    var bar = parts(form).bar;
    if (bar) {
      bar.value = 0;
      bar.hidden = false;
    }
    form.dataset.lastStep = "-1";
    form.dataset.uploaded = "";
    say(form, (form.dataset.uploading || "").replace("{percent}", "0 %"));
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = uploadForm(event.target);
    if (!form || !event.detail || !event.detail.lengthComputable || !event.detail.total) {
      return;
    }
    if (form.dataset.uploaded) {
      return; // the download of the answer reports progress too
    }
    var percent = Math.floor((event.detail.loaded / event.detail.total) * 100);
    var bar = parts(form).bar;
    if (bar) {
      bar.value = percent;
    }
    if (event.detail.loaded >= event.detail.total) {
      if (bar) {
        bar.removeAttribute("value"); // indeterminate while the server checks the rows
      }
      form.dataset.uploaded = "1";
      say(form, form.dataset.checking || "");
      return;
    }
    // Announce every tenth, not every event, so a screen reader is not flooded.
    var step = Math.floor(percent / 10);
    if (String(step) !== form.dataset.lastStep) {
      form.dataset.lastStep = String(step);
      say(form, (form.dataset.uploading || "").replace("{percent}", step * 10 + " %"));
    }
  });

  // A refused import (400) carries the page part with the errors next to the rows: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (uploadForm(event.detail.elt) && event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  function failed(event) {
    var form = uploadForm(event.detail.elt);
    if (form) {
      stop(form, form.dataset.failed || "");
    }
  }

  document.addEventListener("htmx:responseError", function (event) {
    var form = uploadForm(event.detail.elt);
    if (form && event.detail.xhr.status === 413) {
      stop(form, form.dataset.tooLarge || "");
      return;
    }
    failed(event);
  });
  document.addEventListener("htmx:sendError", failed);
})();
