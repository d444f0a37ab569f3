"""The Edge Function's bundle: the expected catalog and the inspect query for Deno."""
