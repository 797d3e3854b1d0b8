// Guide 4.3 step 7: typing an email or a mobile number ticks the matching coupon box (untick it if needed).
document.addEventListener("input", function (event) {
  var pairs = { email: "send_email", mobile_phone: "send_sms" };
  var box = pairs[event.target.name] && document.querySelector('input[name="' + pairs[event.target.name] + '"]');
  if (box && event.target.value.trim() && !box.dataset.touched) box.checked = true;
});
document.addEventListener("change", function (event) {
  if (event.target.name === "send_email" || event.target.name === "send_sms") event.target.dataset.touched = "1";
});
