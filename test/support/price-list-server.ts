// A loopback fake of the AWS Price List Query API's GetProducts, for `warmstack plan --prices aws`: moto 5.2.1
// has no Pricing service (moto.backends.list_of_moto_modules() lists none), so the tests answer it here, the way
// AWS does over its JSON 1.1 protocol, from the same products the program's mocks answer getProduct with.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { matchingProducts } from "./pulumi";

export interface PriceListServer {
    url: string;
    /** Every GetProducts request body, in order. */
    requests: { ServiceCode: string; Filters: { Type: string; Field: string; Value: string }[] }[];
    /** The products it answers from (JSON text), editable between runs. */
    products: string[];
    /** Answer nothing for this long, ms (a stalled endpoint). */
    delayMs: number;
    close(): Promise<void>;
}

export async function startPriceListServer(products: string[]): Promise<PriceListServer> {
    const state = { requests: [] as PriceListServer["requests"], products, delayMs: 0 };
    const sockets = new Set<import("node:net").Socket>();
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (chunk) => (body += chunk));
        req.on("end", () => {
            const reply = () => {
                if (req.headers["x-amz-target"] !== "AWSPriceListService.GetProducts") {
                    res.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
                    res.end(JSON.stringify({ __type: "InvalidParameterException", message: "unknown target" }));
                    return;
                }
                const asked = JSON.parse(body) as PriceListServer["requests"][number];
                state.requests.push(asked);
                const filters = asked.Filters.map((f) => ({ field: f.Field, value: f.Value }));
                res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
                res.end(
                    JSON.stringify({
                        FormatVersion: "aws_v1",
                        PriceList: matchingProducts(state.products, asked.ServiceCode, filters),
                    }),
                );
            };
            if (state.delayMs > 0) setTimeout(reply, state.delayMs);
            else reply();
        });
    });
    server.on("connection", (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return Object.assign(state, {
        url: `http://127.0.0.1:${port}`,
        close: () =>
            new Promise<void>((resolve) => {
                for (const socket of sockets) socket.destroy();
                server.close(() => resolve());
            }),
    });
}
