using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Portal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class AccountingSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "WorkspaceId",
                table: "UsageRecords",
                type: "uniqueidentifier",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TimeZoneId",
                table: "Quotas",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "QuotaCounters",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    UserKey = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Window = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    Value = table.Column<long>(type: "bigint", nullable: false),
                    EndsAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QuotaCounters", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QuotaCounters_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "QuotaHolds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    UserId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Tokens = table.Column<long>(type: "bigint", nullable: false),
                    DayWindow = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    MonthWindow = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QuotaHolds", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QuotaHolds_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "UsageDailyRollups",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    UserId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ModelEntryId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    WorkspaceKey = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Requests = table.Column<long>(type: "bigint", nullable: false),
                    Completed = table.Column<long>(type: "bigint", nullable: false),
                    Stopped = table.Column<long>(type: "bigint", nullable: false),
                    Failed = table.Column<long>(type: "bigint", nullable: false),
                    RefusedByPolicy = table.Column<long>(type: "bigint", nullable: false),
                    RefusedByQuota = table.Column<long>(type: "bigint", nullable: false),
                    PromptTokens = table.Column<long>(type: "bigint", nullable: false),
                    CompletionTokens = table.Column<long>(type: "bigint", nullable: false),
                    BusyTicks = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageDailyRollups", x => x.Id);
                    table.ForeignKey(
                        name: "FK_UsageDailyRollups_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.InsertData(
                table: "CloudPrices",
                columns: new[] { "Id", "InputPerMillionTokens", "Name", "OutputPerMillionTokens" },
                values: new object[,]
                {
                    { new Guid("6f1d3c2a-0b7e-4e43-9a51-2f6c1d9e8a01"), 10m, "Frontier tier", 50m },
                    { new Guid("6f1d3c2a-0b7e-4e43-9a51-2f6c1d9e8a02"), 0.43m, "Open-weight API tier", 0.87m }
                });

            migrationBuilder.CreateIndex(
                name: "IX_QuotaCounters_EndsAt",
                table: "QuotaCounters",
                column: "EndsAt");

            migrationBuilder.CreateIndex(
                name: "IX_QuotaCounters_TenantId_UserKey_Window",
                table: "QuotaCounters",
                columns: new[] { "TenantId", "UserKey", "Window" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_QuotaHolds_ExpiresAt",
                table: "QuotaHolds",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_QuotaHolds_TenantId",
                table: "QuotaHolds",
                column: "TenantId");

            migrationBuilder.CreateIndex(
                name: "IX_UsageDailyRollups_TenantId_Day_UserId_ModelEntryId_WorkspaceKey",
                table: "UsageDailyRollups",
                columns: new[] { "TenantId", "Day", "UserId", "ModelEntryId", "WorkspaceKey" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "QuotaCounters");

            migrationBuilder.DropTable(
                name: "QuotaHolds");

            migrationBuilder.DropTable(
                name: "UsageDailyRollups");

            migrationBuilder.DeleteData(
                table: "CloudPrices",
                keyColumn: "Id",
                keyValue: new Guid("6f1d3c2a-0b7e-4e43-9a51-2f6c1d9e8a01"));

            migrationBuilder.DeleteData(
                table: "CloudPrices",
                keyColumn: "Id",
                keyValue: new Guid("6f1d3c2a-0b7e-4e43-9a51-2f6c1d9e8a02"));

            migrationBuilder.DropColumn(
                name: "WorkspaceId",
                table: "UsageRecords");

            migrationBuilder.DropColumn(
                name: "TimeZoneId",
                table: "Quotas");
        }
    }
}
