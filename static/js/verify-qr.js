// Camera QR scanning for /verify: BarcodeDetector when the browser has it, jsQR otherwise.
// A decoded address fills the address field and submits the form.
(function () {
  "use strict";
  var start = document.getElementById("qr-start");
  var video = document.getElementById("qr-video");
  var status = document.getElementById("qr-status");
  var unavailable = document.getElementById("qr-unavailable");
  var urlField = document.getElementById("url");
  if (!start || !video || !urlField) return;
  if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) return;
  start.hidden = false;
  unavailable.hidden = true;

  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;
  var detector = null;

  function stop() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
  }

  function found(text) {
    stop();
    status.textContent = "Found: " + text;
    urlField.value = text.trim();
    urlField.form.submit();
  }

  function decodeWithJsQR() {
    if (typeof jsQR !== "function" || !video.videoWidth) return null;
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    var code = jsQR(pixels.data, pixels.width, pixels.height, { inversionAttempts: "dontInvert" });
    return code ? code.data : null;
  }

  function tick() {
    if (!stream) return;
    if (detector) {
      detector.detect(video).then(function (codes) {
        if (codes.length) found(codes[0].rawValue); else requestAnimationFrame(tick);
      }, function () { detector = null; requestAnimationFrame(tick); });
      return;
    }
    var text = decodeWithJsQR();
    if (text) found(text); else requestAnimationFrame(tick);
  }

  start.addEventListener("click", function () {
    status.textContent = "Starting the camera…";
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (media) {
      stream = media;
      video.srcObject = media;
      video.hidden = false;
      return video.play();
    }).then(function () {
      status.textContent = "Hold the QR code in front of the camera.";
      if ("BarcodeDetector" in window) {
        try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (error) { detector = null; }
      }
      requestAnimationFrame(tick);
    }).catch(function () {
      stop();
      status.textContent = "The camera could not be opened. Allow camera access, or type the address under the QR code.";
    });
  });
})();
