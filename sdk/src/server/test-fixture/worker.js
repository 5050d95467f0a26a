export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === "/api/health") return Response.json({ status: "ok" });
    if (pathname === "/ticks") {
      const { results } = await env.DB.prepare("SELECT cron, scheduled_time FROM ticks ORDER BY scheduled_time").all();
      return Response.json({ ticks: results, apiKey: env.BATON_API_KEY ?? null });
    }
    return new Response("not found", { status: 404 });
  },
  async scheduled(controller, env) {
    if (controller.cron === "fail") throw new Error("this tick fails on purpose");
    await env.DB.prepare("INSERT INTO ticks (cron, scheduled_time) VALUES (?, ?)")
      .bind(controller.cron, controller.scheduledTime)
      .run();
  },
};
