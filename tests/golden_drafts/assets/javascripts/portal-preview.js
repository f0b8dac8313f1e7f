// portal serve：資料有問題時，在每一頁上方顯示提醒並連到「資料問題」頁。
(function () {
  var errors = 0, todo = 15;
  if (!errors && !todo) { return; }
  var here = document.currentScript;
  var banner = document.createElement("div");
  banner.className = "portal-preview-banner";
  banner.setAttribute("role", "status");
  var link = document.createElement("a");
  link.href = new URL("../../problems/", here.src).href;
  link.textContent = "查看資料問題";
  banner.textContent = "預覽：資料有 " + errors + " 個錯誤、" + todo + " 個欄位尚未填寫；有問題的檔案暫不顯示。";
  banner.appendChild(link);
  document.body.insertBefore(banner, document.body.firstChild);
})();
