/** A shell command shown as a block so it can be selected and copied whole. */
export function Command(props: { children: string }) {
  return (
    <pre class="command">
      <code>{props.children}</code>
    </pre>
  );
}
