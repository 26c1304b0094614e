// Progressive enhancement: forms marked data-async post in the background and update in place.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-async")) return;
  event.preventDefault();
  // the button pressed (a form may have several, e.g. "relevant" and "not relevant")
  const button = event.submitter || form.querySelector("button[type=submit]");
  // aria-disabled, not disabled: a disabled button drops the keyboard focus to the page's top
  if (button && button.getAttribute("aria-disabled") === "true") return;
  if (button) button.setAttribute("aria-disabled", "true");
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: button ? new FormData(form, button) : new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    });
    if (!response.ok) {
      const answer = await response.json().catch(() => ({}));
      if (response.status === 409 && answer.introduction_id) {
        // proposed meanwhile (another tab, a colleague): say so instead of offering it again
        const said = document.createElement("p");
        said.className = "introduced";
        said.textContent = answer.message;
        form.replaceWith(said);
        toast(answer.message);
        return;
      }
      throw new Error(answer.message || response.statusText);
    }
    if (form.hasAttribute("data-choice") && button) {
      // a choice between buttons: show which one was chosen, and let it be changed
      for (const other of form.querySelectorAll("button[type=submit]")) {
        other.setAttribute("aria-pressed", String(other === button));
        other.removeAttribute("aria-disabled");
      }
      const said = form.querySelector(".feedback-given");
      if (said) {
        said.textContent = button.dataset.done || "Done";
        said.hidden = false;
      }
      toast(button.dataset.done || "Done");
      return;
    }
    if (button) button.textContent = form.dataset.done || "Done";
    toast(form.dataset.done || "Done");
  } catch (error) {
    if (button) button.removeAttribute("aria-disabled");
    toast("Could not save: " + error.message);
  }
});

function toast(message) {
  const box = document.getElementById("toast");
  if (!box) return;
  box.textContent = message;
  box.classList.add("show");
  setTimeout(() => box.classList.remove("show"), 2500);
}

// After a search the page opens at #results: move the focus there too (screen readers, keyboards).
document.addEventListener("DOMContentLoaded", () => {
  if (location.hash !== "#results") return;
  const results = document.getElementById("results");
  if (results) results.focus({ preventScroll: true });
});

// The batch page: while a job runs, fetch the page again every few seconds and swap in its
// jobs table, until no job is queued or running (without JavaScript a meta refresh does this).
function pollJobs() {
  const jobs = document.getElementById("jobs");
  const source = jobs && jobs.dataset.poll;
  if (!source) return;
  setTimeout(async () => {
    try {
      const response = await fetch(source, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("jobs");
      if (fresh) jobs.replaceWith(document.adoptNode(fresh));
    } catch (error) {
      // the server is busy or gone: try again on the next turn
    }
    pollJobs();
  }, 2000);
}
document.addEventListener("DOMContentLoaded", pollJobs);

// Errors (the NHS.UK error summary): the focus goes to the summary when the page opens, so that
// it is read out; a link in it puts the focus in its field (not only scrolls to it).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
});
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element && event.target.closest(".error-summary a[href^='#']");
  if (!link) return;
  const field = document.getElementById(link.getAttribute("href").slice(1));
  if (!field) return;
  event.preventDefault();
  field.focus();
  const label = document.querySelector(`label[for="${field.id}"]`);
  (label || field).scrollIntoView();
});

// Skip links: move the focus itself to the target (main, the results), not only the scroll, so
// that the next Tab continues from there in every browser.
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element && event.target.closest("a.skip[href^='#']");
  if (!link) return;
  const target = document.getElementById(link.getAttribute("href").slice(1));
  if (!target) return;
  event.preventDefault();
  target.focus();
  target.scrollIntoView();
});
