import { createEffect, type ParentProps } from "solid-js";

/** A page's heading, also used as the browser tab's title so history and tabs stay tellable apart. */
export function Page(props: ParentProps<{ title: string }>) {
  createEffect(() => {
    document.title = `${props.title} · Baton`;
  });
  return (
    <>
      <h1>{props.title}</h1>
      {props.children}
    </>
  );
}
