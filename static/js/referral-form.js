// The referral form: choosing an agency fills "Email to" with its general contact email (still
// editable), and changing the language asks first, since it resets the subject and the body.
(() => {
  const data = document.getElementById("agency-emails");
  const agency = document.getElementById("id_agency");
  const email = document.getElementById("id_email_to");
  if (data && agency && email) {
    const emails = JSON.parse(data.textContent);
    agency.addEventListener("change", () => {
      email.value = emails[agency.value] || "";
    });
  }
  document.querySelectorAll("[data-confirm]").forEach((button) => {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });
})();
